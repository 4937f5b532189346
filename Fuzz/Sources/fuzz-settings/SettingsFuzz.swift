import CFuzzDriver
import Foundation
import RaveboxCore

/// libFuzzer target: the body of `PATCH /api/settings` (an admin's, or anyone's who stole a session), decoded as the
/// web process decodes it (`[String: SettingValue]` from JSON), validated and applied by ``SettingsSchema``.
///
/// Checks: a validated patch validates to itself; applying it sets exactly its values; the settings survive the
/// settings table (``SettingValue/storedString`` read back by ``BoxSettings/recovering(storedStrings:)``) and JSON.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSettings(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
    let data = Data(UnsafeBufferPointer(start: bytes, count: count))
    guard let patch = try? JSONDecoder().decode([String: SettingValue].self, from: data) else { return 0 }
    let canonical: [String: SettingValue]
    let settings: BoxSettings
    do {
        canonical = try SettingsSchema.validate(patch)
        settings = try SettingsSchema.apply(patch, to: BoxSettings())
    } catch {
        precondition(!error.message.isEmpty, "a refusal without a message")
        return 0
    }
    precondition(canonical.keys.sorted() == patch.keys.sorted(), "validation dropped or added keys")
    precondition((try? SettingsSchema.validate(canonical)) == canonical, "canonical patch is not canonical")
    for (key, value) in canonical {
        let stored = SettingsSchema.descriptor(for: key)!.value(in: settings)
        precondition(stored == value, "\(key): applied \(value), reads back \(stored)")
    }
    // The settings table keeps one string per key.
    let table = Dictionary(
        uniqueKeysWithValues: SettingsSchema.descriptors.map { ($0.key, $0.value(in: settings).storedString) })
    let (recovered, problems) = BoxSettings.recovering(storedStrings: table)
    precondition(problems.isEmpty, "stored settings refused: \(problems)")
    precondition(recovered == settings, "settings changed through the settings table")
    let json = try! JSONEncoder().encode(settings)
    precondition(try! JSONDecoder().decode(BoxSettings.self, from: json) == settings, "settings changed through JSON")
    return 0
}

/// libFuzzer's command line (see the Makefile's `fuzz` targets).
@main
enum SettingsFuzz {
    static func main() {
        exit(rb_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv))
    }
}
