import CFuzzDriver
import Foundation
import RaveboxCore

/// libFuzzer target: a `ravebox.yaml`, the file anyone with the SD card writes and `ravebox setup` (root) reads at
/// every boot, through ``BoxConfiguration/resolve(flags:environment:readFile:defaultMode:)`` in both modes (Yams,
/// libyaml underneath, then every key's checks).
///
/// Checks: a refusal never carries a secret's value; an accepted configuration survives JSON (how the supervisor's
/// children could be handed it); and the secrets' line edits `ravebox setup` makes leave none of them in plain text:
/// the box's copy (``BootFiles/boxCopy(_:adminPasswordHash:)``) holds no admin or home Wi-Fi password, and the file
/// masked on the boot partition (``BootFiles/masking(_:keys:)``) no secret at all.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfiguration(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
    let yaml = String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    for mode in BoxConfiguration.Mode.allCases {
        do {
            let configuration = try BoxConfiguration.resolve(
                flags: ConfigurationLayer(), environment: [:], readFile: { _ in yaml }, defaultMode: mode)
            let json = try! JSONEncoder().encode(configuration)
            let decoded = try! JSONDecoder().decode(BoxConfiguration.self, from: json)
            precondition(decoded == configuration, "configuration changed through JSON")
        } catch {
            if case .invalid(let key, let value, _, _) = error, ConfigurationLayer.secretKeys.contains(key) {
                precondition(value == "(hidden)", "the error for \(key) shows its value")
            }
        }
    }
    guard let secrets = try? BootFiles.plainSecrets(in: yaml, path: "ravebox.yaml"), !secrets.isEmpty else {
        return 0
    }
    let hash = "$2b$10$" + String(repeating: "a", count: 53)
    if let copy = try? ConfigurationLayer(yaml: BootFiles.boxCopy(yaml, adminPasswordHash: hash), path: "copy") {
        precondition(copy.adminPassword == nil, "the box's copy holds the admin password")
        precondition(copy.clientNetworkPassword == nil, "the box's copy holds the home Wi-Fi password")
    }
    let masked = BootFiles.masking(yaml, keys: Set(BootFiles.secretKeys))
    if let left = try? BootFiles.plainSecrets(in: masked, path: "masked") {
        precondition(left.isEmpty, "masking left \(left.keys.sorted()) in plain text")
    }
    return 0
}

/// libFuzzer's command line (see the Makefile's `fuzz` targets).
@main
enum ConfigurationFuzz {
    static func main() {
        exit(rb_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv))
    }
}
