import Logging
import RaveboxAudio
import RaveboxCore
import RaveboxDSP
import RaveboxLights

extension LightThread {
    /// A light thread for benchmarks: the engine's analysis (64 bands) of `tap`, the real outputs, no audio sync,
    /// no onboard LEDs; every output shows `program`. Drive it with ``pass(now:)``; it is never started.
    @_spi(Benchmark) public convenience init(
        benchmarkOutputs outputs: [LEDOutputConfiguration], tap: AnalysisTap, program: LightProgram
    ) throws {
        var configuration = AnalyzerConfiguration()
        configuration.sampleRate = Double(tap.format.sampleRate)
        configuration.bandCount = 64
        let analysis = LiveAnalysis(
            analyzer: try AudioAnalyzer(configuration: configuration), channels: tap.format.channels)
        self.init(
            outputs: outputs, analysis: analysis, tap: { tap },
            makeOutput: { try LightOutputs.make($0, sourceID: nil) }, makeAudioSync: nil, onboard: nil,
            onStatus: { _, _ in }, logger: Logger(label: "ravebox.lights.benchmark"))
        var controls = Controls()
        for output in outputs { controls.settings[output.name] = LightSettings(program: program) }
        update(controls)
        openOutputs(now: Self.now())
    }
}
