import Foundation
import Hummingbird
import RaveboxCore
import RaveboxStore

/// The login page (`/login`) for mods and the admin, and the first-run page (`/setup`) that sets the
/// admin password, reachable only until one exists. Plain forms: they work in a captive-portal browser
/// without JavaScript, and post to the same rules as `/api/session/*`.
extension WebApp {
    func addLoginPages(to router: Router<RaveboxRequestContext>) {
        router.get("/login") { request, context in try loginPage(request, context: context) }
        router.post("/login") { request, context in try await loginForm(request, context: context) }
        router.post("/logout") { _, context in
            try sessions.setPrivilege(.guest, session: context.session)
            return Response(status: .seeOther, headers: [.location: "/"])
        }
        router.get("/setup") { request, context in try setupPage(request, context: context) }
        router.post("/setup") { request, context in try await setupForm(request, context: context) }
    }

    /// The fields of an `application/x-www-form-urlencoded` body.
    static func formFields(_ request: Request) async throws -> [String: String] {
        let body = try await request.body.collect(upTo: 4096)
        let form = String(buffer: body).replacingOccurrences(of: "+", with: " ")
        var fields: [String: String] = [:]
        for item in URLComponents(string: "?" + form)?.queryItems ?? [] { fields[item.name] = item.value ?? "" }
        return fields
    }

    func loginPage(
        _ request: Request, context: RaveboxRequestContext, message: String? = nil, status: HTTPResponse.Status = .ok
    )
        throws -> Response
    {
        guard try AdminCredentials.adminPasswordIsSet(in: store) else {
            return Response(status: .seeOther, headers: [.location: "/setup"])
        }
        var model = baseModel(privilege: context.privilege)
        model["heading"] = "Log in"
        model["current"] = context.privilege == .guest ? "" : context.privilege.rawValue
        model["message"] = message ?? ""
        return Templates.html(Templates.render("login", model), request: request, status: status)
    }

    func loginForm(_ request: Request, context: RaveboxRequestContext) async throws -> Response {
        let fields = try await Self.formFields(request)
        guard let role = fields["role"].flatMap(Privilege.init(rawValue:)), role != .guest else {
            return try loginPage(request, context: context, message: "Choose mod or admin.", status: .badRequest)
        }
        do {
            try loginLimiter.check(voter: context.device ?? context.session, now: PartySettings.now())
        } catch {
            return try loginPage(request, context: context, message: error.message, status: .tooManyRequests)
        }
        guard try AdminCredentials.verify(fields["password"] ?? "", role: role, in: store) else {
            loginLimiter.record(voter: context.device ?? context.session, now: PartySettings.now())
            return try loginPage(
                request, context: context, message: "That password is not right.", status: .unauthorized)
        }
        try sessions.setPrivilege(role, session: context.session)
        return Response(status: .seeOther, headers: [.location: "/"])
    }

    func setupPage(
        _ request: Request, context: RaveboxRequestContext, message: String? = nil, status: HTTPResponse.Status = .ok
    ) throws -> Response {
        guard try !AdminCredentials.adminPasswordIsSet(in: store) else {
            return Response(status: .seeOther, headers: [.location: "/login"])
        }
        var model = baseModel(privilege: context.privilege)
        model["heading"] = "Welcome to your Ravebox"
        model["setup"] = true
        model["minimumLength"] = BoxConfiguration.minimumPasswordLength
        model["message"] = message ?? ""
        return Templates.html(Templates.render("login", model), request: request, status: status)
    }

    func setupForm(_ request: Request, context: RaveboxRequestContext) async throws -> Response {
        guard try !AdminCredentials.adminPasswordIsSet(in: store) else {
            return Response(status: .seeOther, headers: [.location: "/login"])
        }
        let fields = try await Self.formFields(request)
        let password = fields["password"] ?? ""
        guard password == fields["confirm"] else {
            return try setupPage(request, context: context, message: "The two passwords differ.", status: .badRequest)
        }
        do {
            try Self.checkPassword(password)
        } catch let error as APIError {
            return try setupPage(request, context: context, message: error.message, status: .badRequest)
        }
        try AdminCredentials.install(password: password, role: .admin, in: store)
        try sessions.setPrivilege(.admin, session: context.session)
        return Response(status: .seeOther, headers: [.location: "/"])
    }
}
