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
        router.post("/lights/screen") { request, context in try await screenForm(request, context: context) }
        router.post("/lights/:name") { request, context in try await lightsForm(request, context: context) }
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

    func lightsPage(
        _ request: Request, context: RaveboxRequestContext, error: (output: String, message: String)? = nil,
        status: HTTPResponse.Status = .ok
    ) throws -> Response {
        if let gate = pageGate(.mod, context) { return gate }
        var model = baseModel(privilege: context.privilege)
        model["outputs"] = try site.ledOutputs.enumerated().map { index, output -> [String: Any] in
            let stored = try store.lightSettings(output: output.name)
            return [
                "name": output.name, "type": output.kind.rawValue, "target": output.target, "leds": output.ledCount,
                "fps": SettingKind.format(output.framesPerSecond), "index": index,
                "status": try store.lightStatus(output: output.name),
                "programs": LightProgram.allCases.map { ["value": $0.rawValue, "selected": $0 == stored.program] },
                "brightness": Int((stored.brightness * 100).rounded()), "color": stored.color,
                "speed": SettingKind.format(stored.speed), "monochrome": stored.monochrome,
                "error": error?.output == output.name ? error?.message ?? "" : "",
            ]
        }
        let current = try settings.current()
        model["partyLightProgram"] = current.partyLightProgram.rawValue
        model["screenPrograms"] = ScreenProgram.allCases.map {
            ["value": $0.rawValue, "selected": $0 == current.screenProgram]
        }
        return Templates.html(Templates.render("lights", model), request: request, status: status)
    }

    /// The lights page's screen program without JavaScript.
    func screenForm(_ request: Request, context: RaveboxRequestContext) async throws -> Response {
        if let gate = pageGate(.mod, context) { return gate }
        let fields = try await Self.formFields(request)
        _ = try settings.update(["screenProgram": .string(fields["program"] ?? "")])
        return Response(status: .seeOther, headers: [.location: "/lights#screen-title"])
    }

    /// The lights page without JavaScript: one output's whole form per post.
    func lightsForm(_ request: Request, context: RaveboxRequestContext) async throws -> Response {
        if let gate = pageGate(.mod, context) { return gate }
        let name = context.parameters.get("name") ?? ""
        guard site.ledOutputs.contains(where: { $0.name == name }) else {
            throw APIError(.notFound, "There is no LED output called \(name).")
        }
        let fields = try await Self.formFields(request)
        var patch: [String: SettingValue] = ["monochrome": .bool(fields["monochrome"] == "on")]
        if let program = fields["program"] { patch["program"] = .string(program) }
        if let color = fields["color"] { patch["color"] = .string(color) }
        if let text = fields["brightness"] {
            patch["brightness"] = Double(text).map { .double($0 / 100) } ?? .string(text)
        }
        if let text = fields["speed"] { patch["speed"] = Double(text).map(SettingValue.double) ?? .string(text) }
        do {
            let updated = try store.lightSettings(output: name).applying(patch)
            try store.setLightSettings(updated, output: name)
            segment.bump(.settings)
        } catch let error as RuleError {
            return try lightsPage(request, context: context, error: (name, error.message), status: .badRequest)
        }
        return Response(status: .seeOther, headers: [.location: "/lights#output-\(name)"])
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
        model["library"] = try libraryModel()
        return Templates.html(Templates.render("settings", model), request: request, status: status)
    }

    /// The settings page's library section: size, the last or running scan and its failures.
    func libraryModel() throws -> [String: Any] {
        let scan = try store.scanProgress()
        let state: String
        switch scan.state {
        case .idle:
            state =
                scan.finishedAt == nil
                ? "No scan yet."
                : "Last scan: \(scan.added) added, \(scan.updated) updated, \(scan.unchanged) unchanged, "
                    + "\(scan.unavailable) gone, \(scan.failureCount) unreadable."
        case .scanning:
            state = "Scanning \(scan.currentFolder): \(scan.filesDone) of \(scan.filesTotal) files."
        case .measuring:
            state = "Measuring loudness."
        }
        return [
            "songs": try store.songCount(), "state": state,
            "failures": scan.failures.prefix(20).map { ["path": $0.path, "reason": $0.reason] },
            "hasFailures": !scan.failures.isEmpty, "moreFailures": max(0, scan.failureCount - 20),
            "hasMoreFailures": scan.failureCount > 20,
        ]
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
