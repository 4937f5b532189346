import Foundation
import Testing

@testable import RaveboxDSP

@Suite struct SpectrumTests {
    private func sine(frequency: Double, sampleRate: Double, count: Int) -> [Float] {
        (0..<count).map { Float(sin(2 * Double.pi * frequency * Double($0) / sampleRate)) }
    }

    private func loudestBin(_ spectrum: Spectrum) -> Int {
        spectrum.magnitudes.indices.max { spectrum.magnitudes[$0] < spectrum.magnitudes[$1] } ?? -1
    }

    @Test(arguments: [200.0, 2000.0, 9000.0])
    func sineLightsUpItsOwnBin(frequency: Double) {
        let spectrum = Spectrum(size: 2048)
        let samples = sine(frequency: frequency, sampleRate: 48_000, count: 2048)
        samples.withUnsafeBufferPointer { spectrum.analyze($0) }
        let expectedBin = Int((frequency * 2048 / 48_000).rounded())
        #expect(abs(loudestBin(spectrum) - expectedBin) <= 1)
    }

    @Test func silenceHasNoEnergy() {
        let spectrum = Spectrum(size: 512)
        [Float](repeating: 0, count: 512).withUnsafeBufferPointer { spectrum.analyze($0) }
        #expect(spectrum.magnitudes.allSatisfy { $0 == 0 })
    }

    @Test func shortBlockIsZeroPadded() {
        let spectrum = Spectrum(size: 1024)
        let samples = sine(frequency: 1000, sampleRate: 48_000, count: 1024)
        samples.withUnsafeBufferPointer { spectrum.analyze($0) }
        let full = spectrum.magnitudes
        Array(samples[0..<512]).withUnsafeBufferPointer { spectrum.analyze($0) }
        #expect(spectrum.magnitudes != full)
        #expect(abs(loudestBin(spectrum) - Int((1000.0 * 1024 / 48_000).rounded())) <= 1)
    }
}
