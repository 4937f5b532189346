import Foundation
import RaveboxCore
import RaveboxStore
import RaveboxTestSupport
import Testing

@testable import RaveboxEngine

/// What the screen thread reads for the banners over every layout, from a real store.
@Suite struct ScreenCodesTests {
    @Test func theScreenShowsTheSetupCodeThenAModCodeOnlyWhileItIsLiveAndAllowed() async throws {
        let folder = try TemporaryFolder("screen-codes")
        defer { folder.remove() }
        let store = try Store(path: folder.file("ravebox.sqlite"))
        let setup = try #require(try AdminCredentials.prepareSetupCode(preferred: nil, in: store))
        #expect(ScreenThread.codes(in: store, now: 1_000) == (setup.description, "", 0))

        try AdminCredentials.install(password: "admin-secret-password", in: store)
        let session = try await store.beginSession(device: nil, now: 1_000).id
        let code = try AdminCredentials.issueModCode(session: session, now: 1_000, in: store)
        #expect(ScreenThread.codes(in: store, now: 1_010) == ("", "", 0), "not shown while the setting is off")
        try await store.setSetting("modScreenCodes", to: SettingValue.bool(true).storedString)
        #expect(ScreenThread.codes(in: store, now: 1_010) == ("", code.description, 1_120))
        #expect(ScreenThread.codes(in: store, now: 1_120) == ("", "", 0), "gone when it expires")
    }
}
