import Foundation
import Hummingbird
import RaveboxCore
import RaveboxStore

/// Every setting, for the admin: the settings API (`/api/settings`) and the settings page (`/settings`),
/// which works without JavaScript (one field per post) and also shows the library's scan.
struct SettingsController: Sendable {
    let actions: PartyActions

    /// The API and the page; mounted at `/`.
    var routes: RouteCollection<RaveboxRequestContext> {
        let routes = RouteCollection(context: RaveboxRequestContext.self)
        routes.get("/api/settings") { _, context in try await readSettings(context: context) }
        routes.patch("/api/settings", use: patchSettings)
        routes.get("/settings") { request, context in try await settingsPage(request, context: context) }
        routes.post("/settings", use: settingsForm)
        return routes
    }

    var store: Store { actions.store }

    // MARK: - API

    func readSettings(context: RaveboxRequestContext) async throws -> [String: SettingValue] {
        try await actions.authorize(.settings, context)
        return try await actions.settings.current().values
    }

    func patchSettings(_ request: Request, context: RaveboxRequestContext) async throws -> [String: SettingValue] {
        try await actions.authorize(.settings, context)
        let patch = try await request.decodeJSON(
            [String: SettingValue].self, context: context, example: "{\"downvotesToKick\": 3}")
        return try await actions.settings.update(patch).values
    }

    // MARK: - Page

    func settingsPage(
        _ request: Request, context: RaveboxRequestContext, errors: [String: String] = [:],
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        if let gate = context.pageGate(.admin) { return gate }
        let values = try await actions.settings.current().values
        var model = Templates.baseModel(privilege: context.privilege)
        model["groups"] = SettingGroup.allCases.map { group -> [String: Any] in
            let rows = SettingsSchema.descriptors.filter { $0.group == group }.map { descriptor in
                Self.settingModel(descriptor, value: values[descriptor.key], error: errors[descriptor.key])
            }
            return ["id": group.rawValue, "title": group.title, "settings": rows]
        }
        model["library"] = try await libraryModel()
        return Templates.html(Templates.render("settings", model), request: request, status: status)
    }

    /// The settings page's library section: size, the last or running scan and its failures.
    func libraryModel() async throws -> [String: Any] {
        let scan = try await store.scanProgress()
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
            "songs": try await store.songCount(), "state": state,
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
        if let gate = context.pageGate(.admin) { return gate }
        let fields = try await request.formFields()
        guard let key = fields["key"], let descriptor = SettingsSchema.descriptor(for: key) else {
            throw APIError(.badRequest, "Choose a setting to change.")
        }
        let text = fields["value"] ?? ""
        let value = descriptor.kind.parse(stored: text) ?? .string(text)
        do {
            _ = try await actions.settings.update([key: value])
        } catch let error as RuleError {
            return try await settingsPage(request, context: context, errors: [key: error.message], status: .badRequest)
        }
        return Response(status: .seeOther, headers: [.location: "/settings#setting-\(key)"])
    }
}
