import Foundation
import Hummingbird
import RaveboxCore
import RaveboxStore
import Synchronization

/// Who is logged in: the session API (`/api/session…`) and its pages for phones without JavaScript, the
/// login page (`/login`) for mods and the admin and the first-run page (`/setup`) that sets the admin
/// password, reachable only until one exists and only with the box's setup code, which proves the person is
/// at the box. The pages are plain forms, so they work in a captive-portal browser, and follow the same rules
/// as the API. Every privilege change gives the session a new token.
struct SessionController: Sendable {
    let actions: PartyActions
    let sessions: Sessions
    /// Limits on password and setup-code tries; bcrypt off the serving threads.
    let guardian = LoginGuard()

    /// The API and the pages; mounted at `/`.
    var routes: RouteCollection<RaveboxRequestContext> {
        let routes = RouteCollection(context: RaveboxRequestContext.self)
        routes.get("/api/session") { _, context in try await sessionInfo(context) }
        routes.post("/api/session/login", use: login)
        routes.post("/api/session/logout") { _, context in try await logout(context: context) }
        routes.post("/api/session/setup", use: setup)
        routes.post("/api/session/mod-code", use: requestModCode)
        routes.put("/api/session/mod-password", use: modPassword)
        routes.get("/login") { request, context in try await loginPage(request, context: context) }
        routes.post("/login", use: loginForm)
        routes.post("/login/code") { request, context in
            do {
                try await issueModCode(context)
            } catch let error as APIError {
                return try await loginPage(request, context: context, message: error.message, status: error.status)
            } catch let error as RuleError {
                return try await loginPage(
                    request, context: context, message: error.message, status: .tooManyRequests)
            }
            return try await loginPage(request, context: context, codeShown: true)
        }
        routes.post("/logout") { _, context in
            _ = try await sessions.setPrivilege(.guest, context, now: PartySettings.now())
            return Response(status: .seeOther, headers: [.location: "/"])
        }
        routes.get("/setup") { request, context in try await setupPage(request, context: context) }
        routes.post("/setup", use: setupForm)
        return routes
    }

    var store: Store { actions.store }

    /// Refuses a new password shorter than the box's minimum or longer than bcrypt reads.
    static func checkPassword(_ password: String) throws {
        if let problem = BoxConfiguration.passwordProblem(password) { throw APIError(.badRequest, problem) }
    }

    /// The device a login try counts against: the client's MAC or address, else (in-memory tests) the session.
    func device(_ context: RaveboxRequestContext) async throws -> String {
        if let device = context.device { return device }
        return try await sessions.ensure(context)
    }

    // MARK: - API

    struct SessionInfo: ResponseEncodable {
        var privilege: Privilege
        var adminPasswordSet: Bool
        /// Your votes by queue entry id.
        var votes: [String: Int]
    }

    func sessionInfo(_ context: RaveboxRequestContext, privilege: Privilege? = nil) async throws -> SessionInfo {
        let votes = try await actions.votes(of: context)
        return SessionInfo(
            privilege: privilege ?? context.privilege,
            adminPasswordSet: try await AdminCredentials.adminPasswordIsSet(in: store),
            votes: Dictionary(uniqueKeysWithValues: votes.map { (String($0.key), $0.value) }))
    }

    /// A password, or for a mod a code from the box's screen (``requestModCode(_:context:)``).
    struct LoginBody: Decodable {
        var role: Privilege
        var password: String?
        var code: String?
    }

    func login(_ request: Request, context: RaveboxRequestContext) async throws -> SessionInfo {
        let body = try await request.decodeJSON(
            LoginBody.self, context: context, example: "{\"role\": \"mod\", \"password\": \"...\"}")
        guard body.role != .guest else { throw APIError(.badRequest, "Log in as mod or admin.") }
        if let code = body.code, body.password == nil {
            guard body.role == .mod else { throw APIError(.badRequest, "Only mods log in with a code.") }
            try await redeemModCode(code, context)
            return try await sessionInfo(context, privilege: .mod)
        }
        guard let password = body.password else { throw APIError(.badRequest, "Send a password.") }
        guard try await checkLogin(password, role: body.role, context) else {
            throw APIError(.unauthorized, "That password is not right.")
        }
        _ = try await sessions.setPrivilege(body.role, context, now: PartySettings.now())
        return try await sessionInfo(context, privilege: body.role)
    }

    struct ModCodeRequest: ResponseEncodable {
        /// Seconds the box's screen shows the code.
        var expiresIn: Double
    }

    /// `POST /api/session/mod-code`: shows a one-time mod code for this session on the box's screen (setting
    /// `modScreenCodes`). The code is never in the answer: only someone who sees the screen can type it.
    func requestModCode(_ request: Request, context: RaveboxRequestContext) async throws -> ModCodeRequest {
        try await issueModCode(context)
        return ModCodeRequest(expiresIn: AdminCredentials.modCodeLifetime)
    }

    static let noScreenCodes = APIError(
        .forbidden, "This box does not show mod codes on its screen. Log in with the mod password.")

    /// Makes the code (a try within the login limits, so asking cannot flood the screen) and tells the
    /// engine's screen through the settings counter.
    func issueModCode(_ context: RaveboxRequestContext) async throws {
        guard try await actions.settings.current().modScreenCodes else { throw Self.noScreenCodes }
        let (store, session, now) = (store, try await sessions.ensure(context), PartySettings.now())
        _ = try await guardian.attempt(device: try await device(context)) {
            try AdminCredentials.issueModCode(session: session, now: now, in: store)
            return false
        }
        actions.segment.bump(.settings)
    }

    /// Makes this session a mod's when `code` is the one the screen shows for it (a try within the login
    /// limits): 401 otherwise.
    func redeemModCode(_ code: String, _ context: RaveboxRequestContext) async throws {
        guard try await actions.settings.current().modScreenCodes else { throw Self.noScreenCodes }
        let (store, session, now) = (store, try await sessions.ensure(context), PartySettings.now())
        let outcome = Mutex<AdminCredentials.ModCodeLogin>(.wrongCode)
        _ = try await guardian.attempt(device: try await device(context)) {
            let login = try AdminCredentials.redeemModCode(code, session: session, now: now, in: store)
            outcome.withLock { $0 = login }
            return login != .wrongCode
        }
        guard case .loggedIn(let mod) = outcome.withLock({ $0 }) else {
            throw APIError(
                .unauthorized, "That is not the code the box's screen shows for this phone. Ask for a new one.")
        }
        sessions.adopt(mod, context)
        actions.segment.bump(.settings)
    }

    /// Whether `password` is `role`'s, within the try limits (429 beyond them).
    func checkLogin(_ password: String, role: Privilege, _ context: RaveboxRequestContext) async throws -> Bool {
        let store = store
        return try await guardian.attempt(device: try await device(context)) {
            try AdminCredentials.verify(password, role: role, in: store)
        }
    }

    func logout(context: RaveboxRequestContext) async throws -> SessionInfo {
        _ = try await sessions.setPrivilege(.guest, context, now: PartySettings.now())
        return try await sessionInfo(context, privilege: .guest)
    }

    struct PasswordBody: Decodable { var password: String }

    struct SetupBody: Decodable {
        var password: String
        var code: String
    }

    func setup(_ request: Request, context: RaveboxRequestContext) async throws -> SessionInfo {
        let body = try await request.decodeJSON(
            SetupBody.self, context: context, example: "{\"password\": \"...\", \"code\": \"K7QM-2XWD\"}")
        guard try await !AdminCredentials.adminPasswordIsSet(in: store) else {
            throw APIError(.conflict, "The admin password is already set. Log in instead.")
        }
        try Self.checkPassword(body.password)
        try await claim(password: body.password, code: body.code, context)
        return try await sessionInfo(context, privilege: .admin)
    }

    /// Claims the box with its setup code (a try within the login limits): 403 for a wrong code, 409 when
    /// someone claimed it first.
    func claim(password: String, code: String, _ context: RaveboxRequestContext) async throws {
        let (store, session, now) = (store, try await sessions.ensure(context), PartySettings.now())
        let outcome = Mutex<AdminCredentials.Claim>(.wrongCode)
        _ = try await guardian.attempt(device: try await device(context)) {
            let claim = try AdminCredentials.claim(
                password: password, code: code, session: session, now: now, in: store)
            outcome.withLock { $0 = claim }
            return claim != .wrongCode
        }
        switch outcome.withLock({ $0 }) {
        case .claimed(let admin): sessions.adopt(admin, context)
        case .alreadyClaimed: throw APIError(.conflict, "The admin password is already set. Log in instead.")
        case .wrongCode:
            throw APIError(
                .forbidden,
                "That is not the setup code. The box's screen shows it, or ravebox-setup-code.txt on its card.")
        }
    }

    func modPassword(_ request: Request, context: RaveboxRequestContext) async throws -> Response {
        try await actions.authorize(.settings, context)
        let body = try await request.decodeJSON(
            PasswordBody.self, context: context, example: "{\"password\": \"...\"}")
        try Self.checkPassword(body.password)
        let store = store
        _ = try await guardian.hashing { try AdminCredentials.install(password: body.password, role: .mod, in: store) }
        sessions.forgetCached(role: .mod)
        return Response(status: .noContent)
    }

    // MARK: - Pages

    func loginPage(
        _ request: Request, context: RaveboxRequestContext, message: String? = nil, status: HTTPResponse.Status = .ok,
        codeShown: Bool = false
    ) async throws -> Response {
        guard try await AdminCredentials.adminPasswordIsSet(in: store) else {
            return Response(status: .seeOther, headers: [.location: "/setup"])
        }
        var model = Templates.baseModel(privilege: context.privilege)
        model["heading"] = "Log in"
        model["current"] = context.privilege == .guest ? "" : context.privilege.rawValue
        model["message"] = message ?? ""
        model["screenCodes"] = try await actions.settings.current().modScreenCodes
        model["codeShown"] = codeShown
        return Templates.html(Templates.render("login", model), request: request, status: status)
    }

    func loginForm(_ request: Request, context: RaveboxRequestContext) async throws -> Response {
        let fields = try await request.formFields()
        guard let role = fields["role"].flatMap(Privilege.init(rawValue:)), role != .guest else {
            return try await loginPage(request, context: context, message: "Choose mod or admin.", status: .badRequest)
        }
        do {
            if let code = fields["code"], role == .mod {
                try await redeemModCode(code, context)
                return Response(status: .seeOther, headers: [.location: "/"])
            }
            guard try await checkLogin(fields["password"] ?? "", role: role, context) else {
                return try await loginPage(
                    request, context: context, message: "That password is not right.", status: .unauthorized)
            }
        } catch let error as APIError {
            let codeShown = fields["code"] != nil
            return try await loginPage(
                request, context: context, message: error.message, status: error.status, codeShown: codeShown)
        } catch let error as RuleError {
            return try await loginPage(request, context: context, message: error.message, status: .tooManyRequests)
        }
        _ = try await sessions.setPrivilege(role, context, now: PartySettings.now())
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
            try await claim(password: password, code: fields["code"] ?? "", context)
        } catch let error as APIError {
            return try await setupPage(request, context: context, message: error.message, status: error.status)
        } catch let error as RuleError {
            return try await setupPage(request, context: context, message: error.message, status: .tooManyRequests)
        }
        return Response(status: .seeOther, headers: [.location: "/"])
    }
}
