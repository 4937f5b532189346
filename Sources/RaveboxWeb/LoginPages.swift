import Foundation
import Hummingbird
import RaveboxCore

/// The login page (`/login`) for mods and the admin, and the first-run page (`/setup`) that sets the
/// admin password, reachable only until one exists. Plain forms: they work in a captive-portal browser
/// without JavaScript, and post to the same rules as `/api/session/*`.
extension WebApp {
    func addLoginPages(to router: Router<RaveboxRequestContext>) {
        router.get("/login") { _, context in try loginPage(context: context) }
        router.post("/login") { request, context in try await loginForm(request, context: context) }
        router.post("/logout") { _, context in
            try sessions.setPrivilege(.guest, session: context.session)
            return Response(status: .seeOther, headers: [.location: "/"])
        }
        router.get("/setup") { _, _ in try setupPage() }
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
        context: RaveboxRequestContext, message: String? = nil, status: HTTPResponse.Status = .ok
    )
        throws -> Response
    {
        guard try AdminCredentials.adminPasswordIsSet(in: store) else {
            return Response(status: .seeOther, headers: [.location: "/setup"])
        }
        let note = message.map { "<p class=\"error\" role=\"alert\">\(PartyPage.escape($0))</p>" } ?? ""
        let current =
            context.privilege == .guest
            ? "" : "<p>You are logged in as \(context.privilege.rawValue).</p>"
        return Self.page(
            title: "Log in",
            body: """
                \(current)\(note)
                <form method="post" action="/login">
                <label>Role <select name="role"><option value="mod">mod</option>\
                <option value="admin">admin</option></select></label>
                <label>Password <input type="password" name="password" autocomplete="current-password" required></label>
                <button type="submit">Log in</button>
                </form>
                <p><a href="/">Back to the party</a></p>
                """, status: status)
    }

    func loginForm(_ request: Request, context: RaveboxRequestContext) async throws -> Response {
        let fields = try await Self.formFields(request)
        guard let role = fields["role"].flatMap(Privilege.init(rawValue:)), role != .guest else {
            return try loginPage(context: context, message: "Choose mod or admin.", status: .badRequest)
        }
        do {
            try loginLimiter.admit(voter: context.device ?? context.session, now: PartySettings.now())
        } catch {
            return try loginPage(context: context, message: error.message, status: .tooManyRequests)
        }
        guard try AdminCredentials.verify(fields["password"] ?? "", role: role, in: store) else {
            return try loginPage(context: context, message: "That password is not right.", status: .unauthorized)
        }
        try sessions.setPrivilege(role, session: context.session)
        return Response(status: .seeOther, headers: [.location: "/"])
    }

    func setupPage(message: String? = nil, status: HTTPResponse.Status = .ok) throws -> Response {
        guard try !AdminCredentials.adminPasswordIsSet(in: store) else {
            return Response(status: .seeOther, headers: [.location: "/login"])
        }
        let note = message.map { "<p class=\"error\" role=\"alert\">\(PartyPage.escape($0))</p>" } ?? ""
        return Self.page(
            title: "Welcome to your Ravebox",
            body: """
                <p>Choose the admin password. There is no default one; you need it to change the settings.</p>
                \(note)
                <form method="post" action="/setup">
                <label>Admin password <input type="password" name="password" autocomplete="new-password" \
                minlength="\(BoxConfiguration.minimumPasswordLength)" required></label>
                <label>Once more <input type="password" name="confirm" autocomplete="new-password" required></label>
                <button type="submit">Set the password</button>
                </form>
                """, status: status)
    }

    func setupForm(_ request: Request, context: RaveboxRequestContext) async throws -> Response {
        guard try !AdminCredentials.adminPasswordIsSet(in: store) else {
            return Response(status: .seeOther, headers: [.location: "/login"])
        }
        let fields = try await Self.formFields(request)
        let password = fields["password"] ?? ""
        guard password == fields["confirm"] else {
            return try setupPage(message: "The two passwords differ.", status: .badRequest)
        }
        do {
            try Self.checkPassword(password)
        } catch let error as APIError {
            return try setupPage(message: error.message, status: .badRequest)
        }
        try AdminCredentials.install(password: password, role: .admin, in: store)
        try sessions.setPrivilege(.admin, session: context.session)
        return Response(status: .seeOther, headers: [.location: "/"])
    }

    /// A small page in the party page's style.
    static func page(title: String, body: String, status: HTTPResponse.Status) -> Response {
        let html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="color-scheme" content="light dark">
            <title>\(PartyPage.escape(title)) · Ravebox</title>
            <style>
            body{font:16px/1.4 system-ui,sans-serif;margin:0 auto;max-width:30rem;padding:1rem}
            form{display:flex;flex-direction:column;gap:.8rem}label{display:flex;flex-direction:column;gap:.3rem}
            input,select,button{font:inherit;padding:.5rem;border-radius:.4rem}.error{color:#d33}
            </style></head>
            <body><h1>\(PartyPage.escape(title))</h1>
            \(body)
            </body></html>
            """
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
