import Foundation
import RaveboxTestSupport
import Testing

@testable import RaveboxStore

/// A store in a temporary folder, removed with the box.
private final class CredentialsBox {
    let folder: TemporaryFolder
    let store: Store

    init() throws {
        folder = try TemporaryFolder("credentials")
        store = try Store(path: folder.file("ravebox.sqlite"))
    }

    deinit { folder.remove() }
}

@Suite struct AdminCredentialsTests {
    /// `ravebox setup` hands the box the hash, never the password; the box stores it once.
    @Test func aHashFromSetupIsTheAdminPassword() throws {
        let box = try CredentialsBox()
        let hash = AdminCredentials.hash("from ravebox.yaml")
        #expect(!hash.contains("from ravebox.yaml"))
        #expect(try AdminCredentials.install(hash: hash, in: box.store))
        #expect(try !AdminCredentials.install(hash: hash, in: box.store), "the same hash is not written again")
        #expect(try AdminCredentials.verify("from ravebox.yaml", in: box.store))
    }

    @Test func passwordIsStoredOnlyAsABcryptHash() async throws {
        let box = try CredentialsBox()
        #expect(try !AdminCredentials.verify("correct horse", in: box.store))
        #expect(try AdminCredentials.install(password: "correct horse", in: box.store))
        let stored = try #require(try await box.store.setting(AdminCredentials.settingKey))
        #expect(!stored.contains("correct horse"))
        #expect(stored.hasPrefix("$2"))
        #expect(try AdminCredentials.verify("correct horse", in: box.store))
        #expect(try !AdminCredentials.verify("wrong horse", in: box.store))
    }

    @Test func restartWithTheSamePasswordKeepsTheHashAndANewOneReplacesIt() async throws {
        let box = try CredentialsBox()
        try AdminCredentials.install(password: "first password", in: box.store)
        let first = try await box.store.setting(AdminCredentials.settingKey)
        #expect(try !AdminCredentials.install(password: "first password", in: box.store))
        #expect(try await box.store.setting(AdminCredentials.settingKey) == first)
        #expect(try AdminCredentials.install(password: "second password", in: box.store))
        #expect(try AdminCredentials.verify("second password", in: box.store))
        #expect(try !AdminCredentials.verify("first password", in: box.store))
    }
}
