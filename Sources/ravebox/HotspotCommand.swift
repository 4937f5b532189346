import ArgumentParser
import Foundation
import RaveboxCore
import RaveboxSetup

/// `ravebox hotspot IFACE`: the hotspot's last step before hostapd (root, run by `ravebox-hostapd@IFACE`).
struct HotspotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hotspot",
        abstract: "Write the hotspot's hostapd file for the security mode its radio can run (run before hostapd).",
        discussion: """
            Reads RUN/ravebox.yaml (written by ravebox setup), asks `iw phy` what the radio of IFACE can do as an \
            access point, and writes OUT/hostapd-IFACE.conf: the configured wifi_security, or when the radio cannot \
            run it, the mode it falls back to (owe: an open network; wpa3: WPA2), with one line saying why. OUT is \
            root's alone: this runs while the box (which may create files in RUN) is up, so nothing is written there.
            """)

    @Argument(help: "The hotspot's Wi-Fi interface.")
    var interface: String
    @Option(name: .customLong("run"), help: "Where ravebox setup wrote ravebox.yaml; the hostapd file goes there too.")
    var runDirectory = "/run/ravebox"
    @Option(help: "Where the hostapd file goes: a folder only root may write, made if missing.")
    var out = "/run/ravebox-hotspot"

    func run() throws {
        let text = SetupCommand.read("ravebox.yaml", in: try SafeFolder(path: runDirectory)) ?? ""
        let config = try SetupCommand.resolve(text)
        let requested = config.hotspotSecurity
        let device = "/sys/class/net/\(interface)"
        let driver =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: device + "/device/driver"))
            .map { ($0 as NSString).lastPathComponent } ?? "unknown driver"
        var chosen: (security: WiFiSecurity, reason: String?) = (requested, nil)
        if requested.fallback != nil {
            if let info = Self.iwInfo(phyOf: interface) {
                chosen = RadioCapabilities(iwInfo: info).choose(requested)
            } else {
                chosen = (requested.fallback ?? requested, "iw could not describe it")
            }
        }
        let link = ApplianceFiles.hotspotLink(interface: interface, security: requested)
        let address = try? String(contentsOfFile: device + "/address", encoding: .utf8)
        let file = ApplianceFiles.hostapd(
            config, interface: interface, security: chosen.security, bridge: link == interface ? nil : link,
            oweBSSID: address.flatMap {
                ApplianceFiles.oweBSSID(radio: $0.trimmingCharacters(in: .whitespacesAndNewlines))
            })
        // Root's alone: opened without following a symlink, and made root's 0700 whatever it was.
        let outFolder = try SafeFolder(path: out, creating: 0o700)
        try outFolder.setAccess(mode: 0o700, owner: getuid(), group: getgid())
        try outFolder.write(ApplianceFiles.hostapdFile(interface), file, mode: 0o600)
        let name = config.wifiName ?? "Ravebox"
        if let reason = chosen.reason {
            SetupCommand.say(
                "ravebox hotspot: \"\(name)\" on \(interface) (\(driver)) cannot run \(requested.title): \(reason); "
                    + "running \(chosen.security.title) instead")
        } else {
            SetupCommand.say("ravebox hotspot: \"\(name)\" on \(interface) (\(driver)) runs \(chosen.security.title)")
        }
    }

    /// `iw phy PHY info` for the radio of `interface`, or nil when iw or the radio is not there.
    static func iwInfo(phyOf interface: String) -> String? {
        guard
            let phy = try? String(contentsOfFile: "/sys/class/net/\(interface)/phy80211/name", encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines),
            let iw = ["/usr/sbin/iw", "/sbin/iw", "/usr/bin/iw"].first(where: {
                FileManager.default.isExecutableFile(atPath: $0)
            })
        else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: iw)
        process.arguments = ["phy", phy, "info"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return nil
        }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: output, as: UTF8.self)
    }
}
