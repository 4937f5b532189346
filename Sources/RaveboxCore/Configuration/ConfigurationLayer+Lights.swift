import Yams

extension ConfigurationLayer {
    /// Keys of one entry of `leds`.
    public static let ledKeys = [
        "name", "type", "device", "host", "port", "count", "offset", "reverse", "fps", "color_order", "address",
        "universe", "spi_clock",
    ]

    /// Parses the `leds` list: one mapping per output. Errors name the entry, e.g. `leds[1].count`.
    static func ledOutputs(_ node: Node, source: String) throws(ConfigurationError) -> [LEDOutputConfiguration] {
        guard let sequence = node.sequence else {
            throw .invalid(key: "leds", value: "\(node)", source: source, accepted: "a list of LED outputs")
        }
        var outputs: [LEDOutputConfiguration] = []
        for (index, item) in sequence.enumerated() {
            let output = try ledOutput(item, key: "leds[\(index)]", source: source)
            if outputs.contains(where: { $0.name == output.name }) {
                throw .invalid(
                    key: "leds[\(index)].name", value: output.name, source: source,
                    accepted: "a name no other output has")
            }
            outputs.append(output)
        }
        return outputs
    }

    private static func ledOutput(
        _ node: Node, key prefix: String, source: String
    ) throws(ConfigurationError) -> LEDOutputConfiguration {
        guard let mapping = node.mapping else {
            throw .invalid(
                key: prefix, value: "\(node)", source: source, accepted: "a mapping such as {type: wled, ...}")
        }
        var values: [String: String] = [:]
        for (keyNode, valueNode) in mapping {
            guard let key = keyNode.string, ledKeys.contains(key) else {
                throw .unknownKey(key: "\(prefix).\(keyNode.string ?? "?")", source: source, accepted: ledKeys)
            }
            guard let value = valueNode.scalar?.string else {
                throw .invalid(key: "\(prefix).\(key)", value: "\(valueNode)", source: source, accepted: "one value")
            }
            values[key] = value
        }
        func invalid(_ key: String, _ accepted: String) -> ConfigurationError {
            .invalid(key: "\(prefix).\(key)", value: values[key] ?? "", source: source, accepted: accepted)
        }
        func integer(_ key: String, _ range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
            guard let text = values[key] else { return nil }
            let parsed = text.hasPrefix("0x") ? Int(text.dropFirst(2), radix: 16) : Int(text)
            guard let number = parsed, range.contains(number) else {
                throw invalid(key, "an integer from \(range.lowerBound) to \(range.upperBound)")
            }
            return number
        }

        guard let typeName = values["type"], let kind = LEDOutputConfiguration.Kind(rawValue: typeName) else {
            throw invalid("type", LEDOutputConfiguration.Kind.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let name = values["name"] ?? "\(kind.rawValue)\(prefix.filter(\.isNumber))"
        guard !name.isEmpty, name.count <= 32,
            name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else {
            throw invalid("name", "1 to 32 letters, digits, '-' or '_'")
        }
        let maximum = kind == .pca9685 ? 1 : LEDOutputConfiguration.maximumLEDCount
        let count = try integer("count", 1...maximum) ?? (kind == .pca9685 ? 1 : nil)
        guard let count else { throw invalid("count", "the number of LEDs, 1 to \(maximum)") }
        var fps: Double?
        if let text = values["fps"] {
            guard let value = Double(text), (1...240).contains(value) else {
                throw invalid("fps", "frames per second from 1 to 240")
            }
            fps = value
        }
        if let order = values["color_order"], !LEDOutputConfiguration.colorOrders.contains(order) {
            throw invalid("color_order", LEDOutputConfiguration.colorOrders.joined(separator: ", "))
        }
        if kind.isWired {
            if let device = values["device"], !device.hasPrefix("/") {
                throw invalid("device", "a device path such as \(kind.defaultDevice ?? "/dev/...")")
            }
        } else if values["host"]?.isEmpty ?? true {
            throw invalid("host", "the controller's host name or IP address")
        }
        var reverse = false
        if let text = values["reverse"] {
            guard let flag = boolean(text) else { throw invalid("reverse", "true or false") }
            reverse = flag
        }
        var output = LEDOutputConfiguration(
            name: name, kind: kind, device: values["device"], host: values["host"],
            port: try integer("port", 1...65535), ledCount: count, offset: try integer("offset", 0...(count - 1)) ?? 0,
            reverse: reverse, framesPerSecond: fps, colorOrder: values["color_order"])
        if let address = try integer("address", 0x03...0x77) { output.address = address }
        if let universe = try integer("universe", 1...63_999) { output.universe = universe }
        if let clock = try integer("spi_clock", 2_400_000...3_200_000) {
            guard clock == 2_400_000 || clock == 3_200_000 else { throw invalid("spi_clock", "2400000 or 3200000") }
            output.spiClock = clock
        }
        return output
    }

    /// `on/off`, `true/false`, `yes/no` (YAML 1.1 spellings), or nil.
    static func boolean(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "on", "true", "yes": true
        case "off", "false", "no": false
        default: nil
        }
    }

    /// `host` or `host:port`, or nil when the port is not a number from 1 to 65535.
    static func networkTarget(_ text: String, defaultPort: Int) -> LightsConfiguration.NetworkTarget? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard !text.isEmpty, parts.count <= 2, !parts[0].isEmpty else { return nil }
        guard parts.count == 2 else { return .init(host: text, port: defaultPort) }
        guard let port = Int(parts[1]), (1...65535).contains(port) else { return nil }
        return .init(host: String(parts[0]), port: port)
    }
}
