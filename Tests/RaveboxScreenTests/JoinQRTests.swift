import Foundation
import RaveboxQR
import RaveboxTestSupport
import Testing

@testable import RaveboxScreen

/// The join panel's QR codes, read back from the rendered frame by `zbarimg` (Debian zbar-tools).
@Suite struct JoinQRTests {
    static let zbarimg = "/usr/bin/zbarimg"

    @Test(
        .enabled(if: FileManager.default.isExecutableFile(atPath: zbarimg), "zbarimg missing: apt install zbar-tools"),
        arguments: [(640, 360, nil), (1280, 720, nil), (1920, 1080, 360), (1366, 768, 360), (1280, 1024, 360)])
    func joinFrameQRCodesDecodeToTheURLAndTheWiFi(width: Int, height: Int, renderHeight: Int?) throws {
        // With a render height the frame is drawn smaller and scaled up, as on the box (ScreenSettings).
        let size = ScreenSettings(renderHeight: renderHeight).renderSize(forDisplayWidth: width, height: height)
        let frame = ScreenFixtures.render(
            ScreenFixtures.model, .join, width: width, height: height, renderWidth: size.width,
            renderHeight: size.height)
        let folder = try TemporaryFolder("join-qr")
        defer { folder.remove() }
        let path = folder.file("join.png")
        try Data(try PNGEncoder.encode(frame, width: width, height: height)).write(to: URL(fileURLWithPath: path))
        let result = try ProcessRunner.run(Self.zbarimg, ["--raw", "-q", path])
        #expect(result.status == 0, "zbarimg: \(result.standardError)")
        let decoded = Set(result.standardOutput.split(separator: "\n").map(String.init))
        #expect(
            decoded == ["http://ravebox.local/", QRCode.wifiPayload(name: "Ravebox", password: "dance-all-night")])
    }

    @Test func joinWithoutWiFiShowsOnlyTheURLCode() throws {
        var model = ScreenFixtures.model
        model.wifi = nil
        let frame = ScreenFixtures.render(model, .join, width: 640, height: 360)
        let folder = try TemporaryFolder("join-qr")
        defer { folder.remove() }
        let path = folder.file("join.png")
        try Data(try PNGEncoder.encode(frame, width: 640, height: 360)).write(to: URL(fileURLWithPath: path))
        guard FileManager.default.isExecutableFile(atPath: Self.zbarimg) else { return }
        let result = try ProcessRunner.run(Self.zbarimg, ["--raw", "-q", path])
        #expect(result.standardOutput.split(separator: "\n") == ["http://ravebox.local/"])
    }
}
