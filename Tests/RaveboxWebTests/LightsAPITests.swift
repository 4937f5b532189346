import Foundation
import Hummingbird
import HummingbirdTesting
import RaveboxCore
import RaveboxIPC
import Testing

@testable import RaveboxWeb

@Suite struct LightsAPITests {
    private static let outputs = [
        LEDOutputConfiguration(name: "ring", kind: .ws2812, ledCount: 16, offset: 14, reverse: true),
        LEDOutputConfiguration(name: "tv", kind: .wled, host: "192.168.4.20", ledCount: 120),
    ]

    private func box() throws -> WebTestBox { try WebTestBox(site: SiteInfo(ledOutputs: Self.outputs)) }

    private struct Lights: Decodable {
        struct Output: Decodable {
            let name, type, target, status: String
            let leds: Int
            let fps: Double
            let settings: LightOutputSettings
        }
        let outputs: [Output]
        let programs: [String]
        let partyLightProgram: String
    }

    @Test func modsReadTheOutputsWithTheirWiringSettingsAndStatus() async throws {
        let box = try box()
        try box.store.setLightStatus("cannot open /dev/spidev0.0", output: "ring")
        try await Application(router: box.web.router()).test(.router) { client in
            #expect(try await Guest().call(client, .get, "/api/lights").status == .forbidden)
            let mod = try await box.login(.mod, client)
            let reply = try await mod.call(client, .get, "/api/lights")
            #expect(reply.status == .ok)
            let lights = try reply.decode(Lights.self)
            #expect(lights.outputs.map(\.name) == ["ring", "tv"])
            #expect(lights.outputs[0].target == "/dev/spidev0.0" && lights.outputs[0].leds == 16)
            #expect(lights.outputs[0].status == "cannot open /dev/spidev0.0")
            #expect(lights.outputs[1].target == "192.168.4.20:21324" && lights.outputs[1].status == "")
            #expect(lights.outputs[1].settings == LightOutputSettings())
            #expect(lights.programs.contains("rave") && lights.partyLightProgram == "none")
        }
    }

    @Test func aModChangesWhatAnOutputShowsAndTheEngineIsTold() async throws {
        let box = try box()
        try await Application(router: box.web.router()).test(.router) { client in
            #expect(
                try await Guest().call(client, .patch, "/api/lights/tv", "{\"program\": \"rave\"}").status
                    == .forbidden)
            let mod = try await box.login(.mod, client)
            let before = box.segment.changeCount(.settings)
            let reply = try await mod.call(
                client, .patch, "/api/lights/tv",
                "{\"program\": \"fixed\", \"color\": \"#00FF00\", \"brightness\": 0.5}")
            #expect(reply.status == .ok)
            #expect(box.segment.changeCount(.settings) == before + 1)
            let stored = try await box.store.lightSettings(output: "tv")
            #expect(stored.program == .fixed && stored.color == "#00ff00" && stored.brightness == 0.5)
            #expect(try await box.store.lightSettings(output: "ring") == LightOutputSettings())

            let bad = try await mod.call(
                client, .patch, "/api/lights/tv", "{\"program\": \"rave\", \"brightness\": 2}")
            #expect(bad.status == .badRequest)
            #expect(bad.error == "brightness must be a number from 0.0 to 1.0.")
            #expect(try await box.store.lightSettings(output: "tv").program == .fixed, "all or nothing")
            let missing = try await mod.call(client, .patch, "/api/lights/laser", "{\"program\": \"rave\"}")
            #expect(missing.status == .notFound)
            #expect(missing.error == "There is no LED output called laser.")
            let garbage = try await mod.call(client, .patch, "/api/lights/tv", "program=rave")
            #expect(garbage.status == .badRequest)
        }
    }

    @Test func lightsPageHasAFormPerOutputThatWorksWithoutJavaScript() async throws {
        let box = try box()
        try box.store.setLightStatus("cannot open /dev/spidev0.0", output: "ring")
        try await Application(router: box.web.router()).test(.router) { client in
            let mod = try await box.login(.mod, client)
            let page = try await mod.call(client, .get, "/lights")
            #expect(page.status == .ok)
            #expect(page.text.contains("<form method=\"post\" action=\"/lights/ring\" data-output=\"ring\">"))
            #expect(page.text.contains("<form method=\"post\" action=\"/lights/tv\" data-output=\"tv\">"))
            #expect(page.text.contains("Not working: cannot open /dev/spidev0.0"))
            #expect(page.text.contains("id=\"strip-1\""))
            #expect(!page.text.contains("No LED outputs are set up"))
            func post(_ body: String) async throws -> Guest.Reply {
                try await mod.send(
                    client, .post, "/lights/tv", body: ByteBuffer(string: body),
                    contentType: "application/x-www-form-urlencoded")
            }
            let saved = try await post("program=rainbow&brightness=40&color=%23ff0000&speed=2&monochrome=on")
            #expect(saved.status == .seeOther)
            #expect(saved.headers[.location] == "/lights#output-tv")
            let stored = try await box.store.lightSettings(output: "tv")
            #expect(stored.program == .rainbow && stored.brightness == 0.4 && stored.speed == 2 && stored.monochrome)
            let refused = try await post("program=rainbow&brightness=40&color=red&speed=2")
            #expect(refused.status == .badRequest)
            #expect(refused.text.contains("<p class=\"error\" id=\"error-tv\" role=\"alert\">color must be a colour"))
            #expect(try await box.store.lightSettings(output: "tv").monochrome, "nothing changed")
        }
    }

    @Test func statusShowsTheEnginesTelemetryToMods() async throws {
        let box = try box()
        try box.store.setLightStatus("cannot open /dev/spidev0.0", output: "ring")
        var telemetry = Telemetry()
        telemetry.xruns = 2
        telemetry.tempo = 124
        telemetry.ledFrames = 600
        telemetry.ledLatencyP50Micros = 21_500
        telemetry.ledLatencyP99Micros = 30_000
        telemetry.ledLagP50Micros = 1_500
        telemetry.updatedNanos = SharedSegment.monotonicNanos()
        box.segment.telemetry.publish(telemetry)
        struct Status: Decodable {
            let telemetryAgeSeconds: Double?
            let xruns: UInt64
            let tempo: Double?
            let ledFrames: UInt64
            let ledLatencyP50Milliseconds, ledLatencyP99Milliseconds, ledLagP50Milliseconds: Double?
            let lights: [String: String]
        }
        try await Application(router: box.web.router()).test(.router) { client in
            #expect(try await Guest().call(client, .get, "/api/status").status == .forbidden)
            let mod = try await box.login(.mod, client)
            let status = try await mod.call(client, .get, "/api/status").decode(Status.self)
            #expect(status.xruns == 2 && status.tempo == 124 && status.ledFrames == 600)
            #expect(status.ledLatencyP50Milliseconds == 21.5 && status.ledLatencyP99Milliseconds == 30)
            #expect(status.ledLagP50Milliseconds == 1.5)
            #expect(try #require(status.telemetryAgeSeconds) < 60)
            #expect(status.lights == ["ring": "cannot open /dev/spidev0.0", "tv": ""])
        }
    }

    @Test func ledPreviewFramesCarryEachOutputsColours() {
        var telemetry = Telemetry()
        telemetry.previewLengths = [2, 1]
        telemetry.preview = [UInt32](
            repeating: 0, count: Telemetry.previewOutputCapacity * Telemetry.previewLEDCapacity)
        telemetry.preview[0] = 0xFF0000
        telemetry.preview[1] = 0x00FF80
        telemetry.preview[Telemetry.previewLEDCapacity] = 0x0000FF
        #expect(SpectrumFeed.ledPreview(telemetry) == [2, 2, 255, 0, 0, 0, 255, 128, 1, 0, 0, 255])
        #expect(SpectrumFeed.ledPreview(Telemetry()) == [0])
    }
}
