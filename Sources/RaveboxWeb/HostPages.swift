import Foundation
import Hummingbird
import RaveboxCore
import RaveboxQR

/// The pages for the people running the party: `/join` (mods: QR codes for the Wi-Fi and the page),
/// `/lights` (mods: the live analysis and the LED outputs) and `/settings` (admin: every setting).
extension WebApp {
    func addHostPages(to router: Router<RaveboxRequestContext>) {
        router.get("/join") { request, context in try joinPage(request, context: context) }
        router.get("/lights") { request, context in try lightsPage(request, context: context) }
        router.get("/settings") { request, context in try settingsPage(request, context: context) }
        router.post("/settings") { request, context in try await settingsForm(request, context: context) }
    }

    /// Sends a guest who may not see a page to the login page (a phone without JavaScript gets a page,
    /// not a JSON error).
    func pageGate(_ needed: Privilege, _ context: RaveboxRequestContext) -> Response? {
        context.privilege >= needed ? nil : Response(status: .seeOther, headers: [.location: "/login"])
    }

    func joinPage(_ request: Request, context: RaveboxRequestContext) throws -> Response {
        if let gate = pageGate(.mod, context) { return gate }
        var model = baseModel(privilege: context.privilege)
        if let name = site.wifiName {
            let payload = QRCode.wifiPayload(name: name, password: site.wifiPassword)
            model["wifi"] = [
                "name": name, "password": site.wifiPassword ?? "",
                "svg": QRCode(text: payload)?.svg(label: "QR code to join the Wi-Fi \(name)") ?? "",
            ]
        }
        model["url"] = [
            "text": site.partyURL,
            "svg": QRCode(text: site.partyURL)?.svg(label: "QR code for \(site.partyURL)") ?? "",
        ]
        return Templates.html(Templates.render("join", model), request: request)
    }

    func lightsPage(_ request: Request, context: RaveboxRequestContext) throws -> Response {
        if let gate = pageGate(.mod, context) { return gate }
        var model = baseModel(privilege: context.privilege)
        model["outputs"] = [[String: Any]]()
        return Templates.html(Templates.render("lights", model), request: request)
    }

    func settingsPage(
        _ request: Request, context: RaveboxRequestContext, errors: [String: String] = [:],
        status: HTTPResponse.Status = .ok
    ) throws -> Response {
        if let gate = pageGate(.admin, context) { return gate }
        let values = try settings.current().values
        var model = baseModel(privilege: context.privilege)
        model["groups"] = SettingGroup.allCases.map { group -> [String: Any] in
            let rows = SettingsSchema.descriptors.filter { $0.group == group }.map { descriptor in
                Self.settingModel(descriptor, value: values[descriptor.key], error: errors[descriptor.key])
            }
            return ["id": group.rawValue, "title": group.title, "settings": rows]
        }
        return Templates.html(Templates.render("settings", model), request: request, status: status)
    }

    static func settingModel(_ descriptor: SettingDescriptor, value: SettingValue?, error: String?) -> [String: Any] {
        let value = value ?? descriptor.defaultValue
        var row: [String: Any] = [
            "key": descriptor.key, "type": descriptor.kind.typeName, "summary": descriptor.summary,
            "accepted": descriptor.kind.accepted, "error": error ?? "", "value": value.storedString,
        ]
        switch descriptor.kind {
        case .bool:
            row["isBool"] = true
            row["on"] = value == .bool(true)
        case .integer(let range):
            row["isNumber"] = true
            (row["min"], row["max"], row["step"]) = (range.lowerBound, range.upperBound, "1")
        case .number(let range):
            row["isNumber"] = true
            (row["min"], row["max"], row["step"]) = (
                SettingKind.format(range.lowerBound), SettingKind.format(range.upperBound), "any"
            )
            if case .double(let number) = value { row["value"] = SettingKind.format(number) }
        case .choice(let choices):
            row["isChoice"] = true
            row["choices"] = choices.map { ["value": $0, "selected": value == .string($0)] }
        case .text(let maxLength):
            row["isText"] = true
            row["maxLength"] = maxLength
        }
        return row
    }

    /// The settings page without JavaScript: one field per post; a refusal shows under that field.
    func settingsForm(_ request: Request, context: RaveboxRequestContext) async throws -> Response {
        if let gate = pageGate(.admin, context) { return gate }
        let fields = try await Self.formFields(request)
        guard let key = fields["key"], let descriptor = SettingsSchema.descriptor(for: key) else {
            throw APIError(.badRequest, "Choose a setting to change.")
        }
        let text = fields["value"] ?? ""
        let value = descriptor.kind.parse(stored: text) ?? .string(text)
        do {
            _ = try settings.update([key: value])
        } catch let error as RuleError {
            return try settingsPage(request, context: context, errors: [key: error.message], status: .badRequest)
        }
        return Response(status: .seeOther, headers: [.location: "/settings#setting-\(key)"])
    }
}
