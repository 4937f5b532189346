import Testing

@testable import RaveboxWeb

@Suite struct ARPTableTests {
    static let table = """
        IP address       HW type     Flags       HW address            Mask     Device
        10.42.0.17       0x1         0x2         AA:BB:CC:DD:EE:01     *        wlan0
        10.42.0.18       0x1         0x0         00:00:00:00:00:00     *        wlan0
        10.42.0.19       0x1         0x6         aa:bb:cc:dd:ee:03     *        wlan0

        """

    @Test(arguments: [
        ("10.42.0.17", "aa:bb:cc:dd:ee:01"), ("10.42.0.18", nil), ("10.42.0.19", "aa:bb:cc:dd:ee:03"),
        ("10.42.0.1", nil), ("10.42.0.1", nil),
    ])
    func macIsFoundOnlyForCompleteEntries(ip: String, expected: String?) {
        #expect(ARPTable.mac(for: ip, in: Self.table) == expected)
    }

    @Test func clientNotInTheTableIsKnownByItsAddress() {
        #expect(ARPTable.device(for: "203.0.113.9") == "203.0.113.9")
        #expect(ARPTable.device(for: nil) == nil)
    }
}
