import Foundation
import Hummingbird
import RaveboxCore
import RaveboxStore

/// Who is logged in: the session API (`/api/session…`) and its pages for phones without JavaScript, the
/// login page (`/login`) for mods and the admin and the first-run page (`/setup`) that sets the admin
/// password, reachable only until one exists. The pages are plain forms, so they work in a captive-portal
/// browser, and follow the same rules as the API.
struct SessionController: Sendable {
    let actions: PartyActions
    let sessions: Sessions
    /// Failed login attempts per device: 10 per 30 s, so passwords cannot be guessed quickly (successful
    /// logins do not count).
    let loginLimiter: VoteRateLimiter

    /// The API and the pages; mounted at `/`.
    var routes: RouteCollection<RaveboxRequestContext> {
        let routes = RouteCollection(context: RaveboxRequestContext.self)
        routes.get("/api/session") { _, context in try await sessionInfo(context) }
        routes.post("/api/session/login", use: login)
        routes.post("/api/session/logout") { _, context in try await logout(context: context) }
        routes.post("/api/session/setup", use: setup)
        routes.put("/api/session/mod-password", use: modPassword)
        routes.get("/login") { request, context in try await loginPage(request, context: context) }
        routes.post("/login", use: loginForm)
        routes.post("/logout") { _, context in
            try await sessions.setPrivilege(.guest, session: context.session)
            return Response(status: .seeOther, headers: [.location: "/"])
        }
        routes.get("/setup") { request, context in try await setupPage(request, context: context) }
        routes.post("/setup", use: setupForm)
        return routes
    }

    var store: Store { actions.store }

    /// Refuses a new password shorter than the box's minimum.
    static func checkPassword(_ password: String) throws {
        guard password.count >= BoxConfiguration.minimumPasswordLength else {
            throw APIError(
                .badRequest, "The password needs at least \(BoxConfiguration.minimumPasswordLength) characters.")
        }
    }

    // MARK: - API

    struct SessionInfo: ResponseEncodable {
        var privilege: Privilege
        var adminPasswordSet: Bool
        /// Your votes by queue entry id.
        var votes: [String: Int]
    }

    func sessionInfo(_ context: RaveboxRequestContext, privilege: Privilege? = nil) async throws -> SessionInfo {
        let votes = try await store.votes(of: try await actions.voterKey(context))
        return SessionInfo(
            privilege: privilege ?? context.privilege,
            adminPasswordSet: try await AdminCredentials.adminPasswordIsSet(in: store),
            votes: Dictionary(uniqueKeysWithValues: votes.map { (String($0.key), $0.value) }))
    }

    struct LoginBody: Decodable {
        var role: Privilege
        var password: String
    }

    func login(_ request: Request, context: RaveboxRequestContext) async throws -> SessionInfo {
        let body = try await request.decodeJSON(
            LoginBody.self, context: context, example: "{\"role\": \"mod\", \"password\": \"...\"}")
        guard body.role != .guest else { throw APIError(.badRequest, "Log in as mod or admin.") }
        let device = context.device ?? context.session
        try loginLimiter.check(voter: device, now: PartySettings.now())
        guard try await AdminCredentials.verify(body.password, role: body.role, in: store) else {
            loginLimiter.record(voter: device, now: PartySettings.now())
            throw APIError(.unauthorized, "That password is not right.")
        }
        try await sessions.setPrivilege(body.role, session: context.session)
        return try await sessionInfo(context, privilege: body.role)
    }

    func logout(context: RaveboxRequestContext) async throws -> SessionInfo {
        try await sessions.setPrivilege(.guest, session: context.session)
        return try await sessionInfo(context, privilege: .guest)
    }

    struct PasswordBody: Decodable { var password: String }

    func setup(_ request: Request, context: RaveboxRequestContext) async throws -> SessionInfo {
        let body = try await request.decodeJSON(
            PasswordBody.self, context: context, example: "{\"password\": \"...\"}")
        guard try await !AdminCredentials.adminPasswordIsSet(in: store) else {
            throw APIError(.conflict, "The admin password is already set. Log in instead.")
        }
        try Self.checkPassword(body.password)
        try await AdminCredentials.setPassword(body.password, role: .admin, in: store)
        try await sessions.setPrivilege(.admin, session: context.session)
        return try await sessionInfo(context, privilege: .admin)
    }

    func modPassword(_ request: Request, context: RaveboxRequestContext) async throws -> Response {
        try await actions.authorize(.settings, context)
        let body = try await request.decodeJSON(
            PasswordBody.self, context: context, example: "{\"password\": \"...\"}")
        try Self.checkPassword(body.password)
        try await AdminCredentials.setPassword(body.password, role: .mod, in: store)
        return Response(status: .noContent)
    }

    // MARK: - Pages

    func loginPage(
        _ request: Request, context: RaveboxRequestContext, message: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        guard try await AdminCredentials.adminPasswordIsSet(in: store) else {
            return Response(status: .seeOther, headers: [.location: "/setup"])
        }
        var model = Templates.baseModel(privilege: context.privilege)
        model["heading"] = "Log in"
        model["current"] = context.privilege == .guest ? "" : context.privilege.rawValue
        model["message"] = message ?? ""
        return Templates.html(Templates.render("login", model), request: request, status: status)
    }

    func loginForm(_ request: Request, context: RaveboxRequestContext) async throws -> Response {
        let fields = try await request.formFields()
        guard let role = fields["role"].flatMap(Privilege.init(rawValue:)), role != .guest else {
            return try await loginPage(request, context: context, message: "Choose mod or admin.", status: .badRequest)
        }
        do {
            try loginLimiter.check(voter: context.device ?? context.session, now: PartySettings.now())
        } catch {
            return try await loginPage(request, context: context, message: error.message, status: .tooManyRequests)
        }
        guard try await AdminCredentials.verify(fields["password"] ?? "", role: role, in: store) else {
            loginLimiter.record(voter: context.device ?? context.session, now: PartySettings.now())
            return try await loginPage(
                request, context: context, message: "That password is not right.", status: .unauthorized)
        }
        try await sessions.setPrivilege(role, session: context.session)
        return Response(status: .seeOther, headers: [.location: "/"])
    }

    func setupPage(
        _ request: Request, context: RaveboxRequestContext, message: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        guard try await !AdminCredentials.adminPasswordIsSet(in: store) else {
            return Response(status: .seeOther, headers: [.location: "/login"])
        }
        var model = Templates.baseModel(privilege: context.privilege)
        model["heading"] = "Welcome to your Ravebox"
        model["setup"] = true
        model["minimumLength"] = BoxConfiguration.minimumPasswordLength
        model["message"] = message ?? ""
        return Templates.html(Templates.render("login", model), request: request, status: status)
    }

    func setupForm(_ request: Request, context: RaveboxRequestContext) async throws -> Response {
        guard try await !AdminCredentials.adminPasswordIsSet(in: store) else {
            return Response(status: .seeOther, headers: [.location: "/login"])
        }
        let fields = try await request.formFields()
        let password = fields["password"] ?? ""
        guard password == fields["confirm"] else {
            return try await setupPage(
                request, context: context, message: "The two passwords differ.", status: .badRequest)
        }
        do {
            try Self.checkPassword(password)
        } catch let error as APIError {
            return try await setupPage(request, context: context, message: error.message, status: .badRequest)
        }
        try await AdminCredentials.setPassword(password, role: .admin, in: store)
        try await sessions.setPrivilege(.admin, session: context.session)
        return Response(status: .seeOther, headers: [.location: "/"])
    }
}
