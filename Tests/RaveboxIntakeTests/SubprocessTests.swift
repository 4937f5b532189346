import Foundation
import RaveboxIntake
import RaveboxTestSupport
import Testing

@Suite struct SubprocessTests {
    @Test func capturesOutputErrorAndExitStatus() async throws {
        let result = try await Subprocess(
            executable: "/bin/sh", arguments: ["-c", "echo out; echo err >&2; exit 3"]
        ).run()
        #expect(result.termination == .exited(3))
        #expect(String(decoding: result.standardOutput, as: UTF8.self) == "out\n")
        #expect(String(decoding: result.standardError, as: UTF8.self) == "err\n")
        #expect(!result.succeeded)
    }

    @Test func argumentsArePassedVerbatimWithoutAShell() async throws {
        let tricky = ["$(touch /tmp/never)", "a b", "'quoted'", ";", "-"]
        let result = try await Subprocess(executable: "printf", arguments: ["%s|"] + tricky).run()
        #expect(String(decoding: result.standardOutput, as: UTF8.self) == tricky.map { $0 + "|" }.joined())
    }

    @Test func environmentIsTheOneGiven() async throws {
        let result = try await Subprocess(
            executable: "/usr/bin/env", environment: ["RAVEBOX_TEST": "yes", "PATH": "/usr/bin:/bin"]
        ).run()
        let lines = String(decoding: result.standardOutput, as: UTF8.self).split(separator: "\n").sorted()
        #expect(lines == ["PATH=/usr/bin:/bin", "RAVEBOX_TEST=yes"])
    }

    @Test func outputBeyondTheLimitIsDroppedAndTheChildDoesNotBlock() async throws {
        let result = try await Subprocess(
            executable: "/usr/bin/head", arguments: ["-c", "1000000", "/dev/zero"], outputLimit: 1000
        ).run()
        #expect(result.succeeded)
        #expect(result.standardOutput.count == 1000)
        #expect(result.outputTruncated)
    }

    @Test func timeoutStopsTheWholeProcessGroupEvenWhenSIGTERMIsIgnored() async throws {
        let folder = try TemporaryFolder("subprocess")
        defer { folder.remove() }
        // The shell and its `sleep` ignore SIGTERM: only SIGKILL after the grace period ends them.
        let script = try SourcesFixtures.script(
            folder.file("stubborn"),
            "trap '' TERM\necho started >&2\nsleep 30 &\necho $! > \"$0.pid\"\nwait\nsleep 30\n")
        let start = ContinuousClock.now
        await #expect {
            _ = try await Subprocess(
                executable: script, timeout: .milliseconds(300), gracePeriod: .milliseconds(300)
            ).run()
        } throws: { error in
            guard case .timedOut(_, _, let standardError) = error as? SubprocessError else { return false }
            return standardError.contains("started")
        }
        #expect(start.duration(to: .now) < .seconds(3))
        let sleeper = try #require(
            Int32(
                String(contentsOfFile: script + ".pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            ))
        #expect(!ProcessTable.isAlive(sleeper))
    }

    @Test func cancellingTheTaskStopsTheProgram() async throws {
        let start = ContinuousClock.now
        let task = Task {
            try await Subprocess(executable: "/bin/sleep", arguments: ["30"], gracePeriod: .milliseconds(200)).run()
        }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        let result = await task.result
        #expect(start.duration(to: .now) < .seconds(3))
        guard case .failure(let error) = result, case .cancelled = error as? SubprocessError else {
            Issue.record("expected .cancelled, got \(result)")
            return
        }
    }

    @Test func missingExecutableIsReported() async throws {
        await #expect(throws: SubprocessError.executableNotFound("ravebox-no-such-tool")) {
            _ = try await Subprocess(executable: "ravebox-no-such-tool").run()
        }
        #expect(Subprocess.resolve("sh") != nil)
        #expect(Subprocess.resolve("ravebox-no-such-tool") == nil)
    }
}
