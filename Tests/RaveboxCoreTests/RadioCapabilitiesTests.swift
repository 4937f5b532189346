import Foundation
import Testing

@testable import RaveboxCore

@Suite struct RadioCapabilitiesTests {
    func sample(_ name: String) throws -> String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/iw/\(name).txt")
        return try String(contentsOf: url, encoding: .utf8)
    }

    @Test func aMac80211RadioRunsEveryMode() throws {
        let radio = RadioCapabilities(iwInfo: try sample("mac80211_hwsim"))
        #expect(radio.interfaceModes.isSuperset(of: ["AP", "managed", "AP/VLAN"]))
        #expect(radio.ciphers.isSuperset(of: ["00-0f-ac:4", "00-0f-ac:6"]))
        #expect(radio.accessPoints == 2048)
        #expect(radio.hostapdRunsAssociation && radio.saeInHostapd)
        #expect(radio.extendedFeatures.contains("BEACON_PROTECTION"))
        for security in WiFiSecurity.allCases {
            #expect(radio.problem(running: security) == nil, "\(security)")
            #expect(radio.choose(security) == (security, nil))
        }
    }

    @Test func thePiRadioWithoutSAEFirmwareFallsBackToOpenAndWPA2() throws {
        let radio = RadioCapabilities(iwInfo: try sample("brcmfmac-43455"))
        #expect(radio.interfaceModes.contains("AP"))
        #expect(radio.protectsManagementFrames)
        #expect(radio.accessPoints == 1)
        #expect(!radio.hostapdRunsAssociation && !radio.saeInHostapd)
        #expect(radio.extendedFeatures.contains("4WAY_HANDSHAKE_STA_PSK"))
        let owe = radio.choose(.owe)
        #expect(owe.security == .open)
        #expect(owe.reason?.contains("firmware") == true)
        let wpa3 = radio.choose(.wpa3)
        #expect(wpa3.security == .wpa2)
        #expect(wpa3.reason?.contains("SAE") == true)
        #expect(radio.choose(.wpa2) == (.wpa2, nil))
        #expect(radio.choose(.open) == (.open, nil))
    }

    @Test func firmwareThatRunsSAEItselfGetsWPA3ButStillNoOWE() throws {
        let text =
            try sample("brcmfmac-43455") + "\t\t* [ SAE_OFFLOAD_AP ]: AP mode SAE authentication offload support\n"
        let radio = RadioCapabilities(iwInfo: text)
        #expect(radio.choose(.wpa3) == (.wpa3, nil))
        #expect(radio.choose(.owe).security == .open)
    }

    @Test func oneAccessPointOnlyMeansNoOWETransitionEvenOnMac80211() throws {
        let single = try sample("mac80211_hwsim").replacingOccurrences(
            of: "#{ managed, AP, mesh point, P2P-client, P2P-GO } <= 2048", with: "#{ managed, AP } <= 1")
        let radio = RadioCapabilities(iwInfo: single)
        #expect(radio.accessPoints == 1)
        #expect(radio.choose(.owe).security == .open)
        #expect(radio.choose(.wpa3) == (.wpa3, nil))
        let withoutBIP = RadioCapabilities(
            iwInfo: try sample("mac80211_hwsim").replacingOccurrences(of: "CMAC (00-0f-ac:6)", with: "x"))
        #expect(withoutBIP.choose(.wpa3).security == .wpa2)
        #expect(withoutBIP.choose(.owe).reason?.contains("BIP") == true)
    }

    @Test func unreadableTextMeansEveryFallback() {
        let radio = RadioCapabilities(iwInfo: "command failed: No such device (-19)\n")
        #expect(radio.choose(.owe).security == .open)
        #expect(radio.choose(.wpa3).security == .wpa2)
    }

    @Test func combinationsAreLimitedByTheirTotal() {
        #expect(RadioCapabilities.accessPoints(in: "#{ managed } <= 1, #{ AP, mesh point } <= 8, total <= 8") == 8)
        #expect(RadioCapabilities.accessPoints(in: "#{ AP } <= 4, total <= 2, #channels <= 1") == 2)
        #expect(RadioCapabilities.accessPoints(in: "#{ managed } <= 1, total <= 1") == 0)
    }
}
