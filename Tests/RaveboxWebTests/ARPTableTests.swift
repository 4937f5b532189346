import Foundation
import RaveboxTestSupport
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
        ("10.42.0.1", nil),
    ])
    func macIsFoundOnlyForCompleteEntries(ip: String, expected: String?) {
        #expect(ARPTable.macs(in: Self.table)[ip] == expected)
    }

    @Test func clientNotInTheTableIsKnownByItsAddress() {
        #expect(ARPTable.device(for: "203.0.113.9") == "203.0.113.9")
        #expect(ARPTable.device(for: nil) == nil)
    }
}

@Suite struct ARPCacheTests {
    @Test func aPhoneFoundIsFoundAgainWithoutAReadAndANewPhoneMakesOne() throws {
        let folder = try TemporaryFolder("arp")
        let path = folder.file("arp")
        try ARPTableTests.table.write(toFile: path, atomically: true, encoding: .utf8)
        let cache = ARPCache(path: path)
        #expect(cache.device(for: "10.42.0.17") == "aa:bb:cc:dd:ee:01")

        // The table changes: the phone already found keeps its entry until the table is old; a phone that was
        // not in it is read anew.
        try """
        IP address       HW type     Flags       HW address            Mask     Device
        10.42.0.17       0x1         0x2         aa:bb:cc:dd:ee:99     *        wlan0
        10.42.0.20       0x1         0x2         aa:bb:cc:dd:ee:20     *        wlan0

        """.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(cache.device(for: "10.42.0.17") == "aa:bb:cc:dd:ee:01", "found in the table read before")
        #expect(cache.device(for: "10.42.0.20") == "aa:bb:cc:dd:ee:20", "not in it: the table is read again")
        #expect(cache.device(for: "10.42.0.17") == "aa:bb:cc:dd:ee:99", "the table read for the new phone")
        #expect(cache.device(for: "10.42.0.18") == "10.42.0.18", "no entry: known by its address")
    }

    @Test func loopbackAndMissingAddressesNeedNoTable() {
        let cache = ARPCache(path: "/nonexistent/arp")
        #expect(cache.device(for: "127.0.0.1") == "127.0.0.1")
        #expect(cache.device(for: "::1") == "::1")
        #expect(cache.device(for: nil) == nil)
        #expect(cache.device(for: "10.42.0.17") == "10.42.0.17")
    }
}
