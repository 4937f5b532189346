import Foundation
import Testing

@testable import RaveboxCore

@Suite struct SettingsSchemaTests {
    @Test func everySettingOfBoxSettingsIsDescribedOnce() throws {
        let keys = SettingsSchema.descriptors.map(\.key)
        #expect(Set(keys).count == keys.count, "no key twice")
        // Every stored property of BoxSettings is a setting, under its own name.
        let mirror = Mirror(reflecting: BoxSettings())
        let properties = mirror.children.compactMap(\.label)
        #expect(Set(properties) == Set(keys))
        #expect(properties.count == keys.count)
        for descriptor in SettingsSchema.descriptors {
            #expect(!descriptor.summary.isEmpty)
            #expect(descriptor.kind.normalize(descriptor.defaultValue) == descriptor.defaultValue, "\(descriptor.key)")
        }
    }

    @Test(arguments: [
        ("interactivity", SettingValue.string("upAndDown")), ("oneVotePerDevice", true), ("downvotesToKick", 2),
        ("downvoteShareToKick", 0.0), ("fairness", "off"), ("colorIndication", "nobody"),
        ("hashtagsActive", true), ("numberOfSuggestions", 20), ("newMusicOnly", false), ("enqueueFirst", false),
        ("songCooldown", 0.0), ("maxQueueLength", 0), ("maxSongsPerGuest", 0), ("maxPlaylistItems", 10),
        ("forbiddenKeywords", ""), ("peopleToParty", 3), ("alarmProbability", 0.0), ("buzzerCooldown", 1.0),
        ("buzzerSuccessProbability", -1.0),
    ])
    func defaultsAreTheDocumentedOnes(key: String, value: SettingValue) {
        #expect(SettingsSchema.descriptor(for: key)?.defaultValue == value)
        #expect(BoxSettings().values[key] == value)
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        var key: String
        var value: SettingValue
        var message: String
        var testDescription: String { "\(key) = \(value)" }
    }

    static let refusals: [Refusal] = [
        Refusal(key: "downvotesToKick", value: 0, message: "downvotesToKick must be a whole number from 1 to 100"),
        Refusal(key: "downvotesToKick", value: 101, message: "downvotesToKick must be a whole number from 1 to 100"),
        Refusal(key: "downvotesToKick", value: 2.5, message: "downvotesToKick must be a whole number from 1 to 100"),
        Refusal(key: "downvotesToKick", value: "3", message: "downvotesToKick must be a whole number"),
        Refusal(key: "downvotesToKick", value: true, message: "downvotesToKick must be a whole number"),
        Refusal(key: "downvoteShareToKick", value: 1.5, message: "downvoteShareToKick must be a number from 0 to 1"),
        Refusal(key: "downvoteShareToKick", value: -0.1, message: "from 0 to 1"),
        Refusal(key: "downvoteShareToKick", value: .double(.nan), message: "from 0 to 1"),
        Refusal(key: "songCooldown", value: .double(.infinity), message: "songCooldown must be a number from 0 to 168"),
        Refusal(key: "songCooldown", value: -1, message: "songCooldown must be a number from 0 to 168"),
        Refusal(key: "buzzerSuccessProbability", value: 2, message: "from -1 to 1"),
        Refusal(key: "maxQueueLength", value: -1, message: "maxQueueLength must be a whole number from 0 to 1000"),
        Refusal(
            key: "interactivity", value: "Full Public Control",
            message: "interactivity must be one of fullControl, upAndDown, upvotesOnly, noControl"),
        Refusal(key: "fairness", value: "fair", message: "fairness must be one of off, roundRobin"),
        Refusal(key: "colorIndication", value: 1, message: "everybody, modAndAdmin, adminOnly, nobody"),
        Refusal(key: "hashtagsActive", value: 1, message: "hashtagsActive must be true or false"),
        Refusal(key: "hashtagsActive", value: "yes", message: "hashtagsActive must be true or false"),
        Refusal(key: "loggingEnabled", value: true, message: "There is no setting called \"loggingEnabled\"."),
        Refusal(key: "privilegedStream", value: false, message: "There is no setting called \"privilegedStream\"."),
        Refusal(
            key: "forbiddenKeywords", value: .string(String(repeating: "x", count: 1001)),
            message: "forbiddenKeywords must be text of at most 1000 characters"),
        Refusal(key: "forbiddenKeywords", value: 3, message: "forbiddenKeywords must be text"),
        Refusal(key: "peopleToParty", value: 0, message: "peopleToParty must be a whole number from 1 to 1000"),
        Refusal(key: "votesToKick", value: 2, message: "There is no setting called \"votesToKick\"."),
        Refusal(key: "spotifyEnabled", value: true, message: "There is no setting called \"spotifyEnabled\"."),
    ]

    @Test(arguments: refusals)
    func invalidValueIsABadRequestNamingTheSettingAndTheRange(_ row: Refusal) {
        do {
            _ = try SettingsSchema.apply([row.key: row.value], to: BoxSettings())
            Issue.record("accepted")
        } catch {
            #expect(error.category == .badRequest)
            #expect(error.message.contains(row.message), "\(error.message)")
        }
    }

    @Test(arguments: [
        ("downvotesToKick", SettingValue.double(3.0), SettingValue.int(3)),
        ("downvoteShareToKick", 1, .double(1)),
        ("songCooldown", 0.5, .double(0.5)),
        ("interactivity", "noControl", "noControl"),
        ("forbiddenKeywords", "rick, astley", "rick, astley"),
        ("buzzerSuccessProbability", -1, .double(-1)),
    ])
    func acceptedValuesAreStoredInCanonicalForm(key: String, value: SettingValue, canonical: SettingValue) throws {
        #expect(try SettingsSchema.validate([key: value]) == [key: canonical])
        #expect(try SettingsSchema.apply([key: value], to: BoxSettings()).values[key] == canonical)
    }

    @Test func aPatchIsAppliedWholeOrNotAtAll() throws {
        let settings = try SettingsSchema.apply(
            ["downvotesToKick": 4, "interactivity": "upvotesOnly", "fairness": "roundRobin"], to: BoxSettings())
        #expect(settings.downvotesToKick == 4)
        #expect(settings.interactivity == .upvotesOnly)
        #expect(settings.fairness == .roundRobin)
        #expect(throws: RuleError.self) {
            try SettingsSchema.apply(["downvotesToKick": 5, "peopleToParty": 0], to: settings)
        }
    }

    @Test func storedStringsRoundTripTheDefaults() throws {
        let strings = BoxSettings().storedStrings
        #expect(strings["downvotesToKick"] == "2")
        #expect(strings["songCooldown"] == "0.0")
        #expect(strings["oneVotePerDevice"] == "true")
        #expect(strings["interactivity"] == "upAndDown")
        #expect(try BoxSettings(storedStrings: strings) == BoxSettings())
        #expect(try BoxSettings(storedStrings: [:]) == BoxSettings(), "missing rows keep their defaults")
    }

    @Test func storedStringsRoundTripAwkwardValuesExactly() throws {
        var settings = BoxSettings()
        settings.downvoteShareToKick = 0.1 + 0.2
        settings.songCooldown = 1e-7
        settings.buzzerCooldown = 3599.999999999999
        settings.forbiddenKeywords = "  ünïcödé, \"quotes\"\ttabs\nnewline , "
        settings.interactivity = .noControl
        settings.colorIndication = .modAndAdmin
        settings.hashtagsActive = false
        let back = try BoxSettings(storedStrings: settings.storedStrings)
        #expect(back == settings)
        #expect(back.downvoteShareToKick.bitPattern == settings.downvoteShareToKick.bitPattern)
    }

    @Test(arguments: [
        (["downvotesToKick": "two"], "downvotesToKick must be a whole number"),
        (["hashtagsActive": "yes"], "hashtagsActive must be true or false"),
        (["privilegedStream": "false"], "There is no setting called \"privilegedStream\"."),
        (["ip_checking": "true"], "There is no setting called \"ip_checking\"."),
    ])
    func strictReadingOfStoredStringsRefusesBadRows(strings: [String: String], message: String) {
        #expect(throws: RuleError.self) { try BoxSettings(storedStrings: strings) }
        let (settings, problems) = BoxSettings.recovering(storedStrings: strings)
        #expect(settings == BoxSettings(), "bad rows keep the defaults")
        #expect(problems.count == 1)
        #expect(problems.first?.message.contains(message) == true)
    }

    @Test func recoveringKeepsTheGoodRows() {
        let (settings, problems) = BoxSettings.recovering(storedStrings: [
            "downvotesToKick": "5", "maxQueueLength": "-3", "oldSetting": "1",
        ])
        #expect(settings.downvotesToKick == 5)
        #expect(settings.maxQueueLength == 0)
        #expect(problems.map(\.category) == [.badRequest, .badRequest])
    }

    @Test func jsonUsesCamelCaseKeysAndRoundTrips() throws {
        var settings = BoxSettings()
        settings.fairness = .roundRobin
        settings.downvoteShareToKick = 0.3
        let data = try JSONEncoder().encode(settings)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == Set(SettingsSchema.descriptors.map(\.key)))
        #expect(object["fairness"] as? String == "roundRobin")
        #expect(try JSONDecoder().decode(BoxSettings.self, from: data) == settings)
    }

    @Test func jsonWithMissingKeysUsesDefaultsAndWithBadValuesFails() throws {
        let partial = try JSONDecoder().decode(BoxSettings.self, from: Data(#"{"downvotesToKick": 7}"#.utf8))
        #expect(partial.downvotesToKick == 7)
        #expect(partial.interactivity == BoxSettings().interactivity)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(BoxSettings.self, from: Data(#"{"downvotesToKick": 0}"#.utf8))
        }
    }

    @Test(arguments: [
        ("true", SettingValue.bool(true)), ("false", .bool(false)), ("3", .int(3)), ("-2", .int(-2)),
        ("2.5", .double(2.5)), ("\"upAndDown\"", .string("upAndDown")), ("\"3\"", .string("3")),
    ])
    func settingValuesDecodeFromJSONScalars(json: String, value: SettingValue) throws {
        #expect(try JSONDecoder().decode(SettingValue.self, from: Data(json.utf8)) == value)
        let patch = try JSONDecoder().decode([String: SettingValue].self, from: Data("{\"k\": \(json)}".utf8))
        #expect(patch["k"] == value)
    }

    @Test func schemaEncodesRangesAndChoicesForTheAdminPage() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let kick = try #require(SettingsSchema.descriptor(for: "downvotesToKick"))
        let json = String(decoding: try encoder.encode(kick), as: UTF8.self)
        #expect(
            json
                == #"{"default":2,"description":"\#(kick.summary)","group":"voting","key":"downvotesToKick","max":100,"min":1,"type":"integer"}"#
        )
        let interactivity = try #require(SettingsSchema.descriptor(for: "interactivity"))
        let choices = String(decoding: try encoder.encode(interactivity), as: UTF8.self)
        #expect(choices.contains(#""choices":["fullControl","upAndDown","upvotesOnly","noControl"]"#))
        #expect(Set(SettingsSchema.descriptors.map(\.group)) == Set(SettingGroup.allCases), "no empty section")
    }
}
