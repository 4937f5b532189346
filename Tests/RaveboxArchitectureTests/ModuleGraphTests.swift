import Foundation
import Testing

/// Holds the code to docs/architecture.md's module table: Package.swift's target graph (as
/// `swift package dump-package` reads it) and every source file's `import` lines.
@Suite struct ModuleGraphTests {
    @Test func packageGraphAndImportsKeepToTheArchitectureTable() throws {
        let table = try ModuleTable(
            markdown: String(contentsOf: Repository.file("docs/architecture.md"), encoding: .utf8))
        let graph = try PackageGraph.dumped(at: Repository.root)
        let imports = try SourceImports.read(graph: graph, root: Repository.root)
        let violations = ModuleRules.violations(table: table, graph: graph, imports: imports)
        #expect(violations.isEmpty, "\(violations.joined(separator: "\n"))")
        // The table is read for real: the rules that matter most are in it.
        #expect(table.rows["RaveboxWeb"]?.forbidden.contains("CALSA") == true)
        #expect(table.rows["RaveboxWeb"]?.forbidden.contains("CFFmpeg") == true)
        #expect(table.rows["RaveboxWeb"]?.forbidden.contains("CDRM") == true)
        #expect(table.rows["RaveboxCore"]?.forbidden.contains("Ravebox*") == true)
        #expect(graph.targets["RaveboxWeb"] != nil && graph.targets["RaveboxCore"] != nil)
        #expect(imports["RaveboxWeb"]?.isEmpty == false)
    }

    @Test func aForbiddenDependencyEvenThroughAnotherModuleIsReported() throws {
        let table = try ModuleTable(
            markdown: """
                | Module | Job | May import | Must never import |
                | --- | --- | --- | --- |
                | `Web` | pages | `Intake`, `Hummingbird` | `CALSA`, `Audio*` |
                | `Intake` | uploads | `AudioPlayer` | |
                | `AudioPlayer` | sound | `CALSA` | |
                """)
        let graph = PackageGraph(targets: [
            "Web": ["Intake", "Hummingbird"], "Intake": ["AudioPlayer"], "AudioPlayer": ["CALSA"], "CALSA": [],
        ])
        let violations = ModuleRules.violations(
            table: table, graph: graph, imports: ["Web": ["Intake": "Web/App.swift", "Foundation": "Web/App.swift"]])
        #expect(
            violations.contains { $0.hasPrefix("Web reaches AudioPlayer") && $0.contains("Web → Intake → AudioPlayer") }
        )
        #expect(violations.contains { $0.hasPrefix("Web reaches CALSA") })
        #expect(violations.count == 2)
    }

    @Test func anUndeclaredOrUnlistedImportIsReported() throws {
        let table = try ModuleTable(
            markdown: """
                | Module | Job | May import | Must never import |
                | --- | --- | --- | --- |
                | `Core` | rules | `Yams` | `Ravebox*` |
                """)
        let graph = PackageGraph(targets: ["Core": ["Yams", "GRDB"], "Store": []])
        let violations = ModuleRules.violations(
            table: table, graph: graph,
            imports: ["Core": ["RaveboxStore": "Core/Rules.swift", "Glibc": "Core/A.swift"]])
        #expect(violations.contains("Core depends on GRDB, which its row does not allow"))
        #expect(violations.contains("Store has no row in the module table"))
        #expect(violations.contains { $0.hasPrefix("Core/Rules.swift imports RaveboxStore") })
        #expect(violations.count == 3)
    }
}

/// The repository this test file lives in.
enum Repository {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func file(_ relative: String) -> URL { root.appendingPathComponent(relative) }
}

/// One row per module of docs/architecture.md's "Modules" table.
struct ModuleTable {
    struct Row {
        var allowed: [String]
        var forbidden: [String]
    }

    var rows: [String: Row] = [:]

    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    /// Reads every table row whose first cell is one backticked name and that has four cells.
    init(markdown: String) throws {
        for line in markdown.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 4 else { continue }
            let names = Self.backticked(cells[0])
            guard names.count == 1, let name = names.first else { throw Malformed(description: "bad row: \(line)") }
            rows[name] = Row(allowed: Self.backticked(cells[2]), forbidden: Self.backticked(cells[3]))
        }
        if rows.isEmpty { throw Malformed(description: "no module rows found") }
    }

    static func backticked(_ cell: String) -> [String] {
        cell.split(separator: "`", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }
            .map { String($0.element) }
    }
}

/// Package.swift's targets (tests and test helpers left out) and the names each depends on directly:
/// other targets and package products.
struct PackageGraph {
    var targets: [String: [String]]
    /// Source folder of each target, relative to the package.
    var paths: [String: String] = [:]

    /// Runs `swift package dump-package` in `root`, with a scratch folder of its own: the `swift test` running
    /// this holds the lock on `.build`.
    static func dumped(at root: URL) throws -> PackageGraph {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ravebox-dump-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try swiftExecutable())
        process.arguments = ["package", "dump-package", "--package-path", root.path, "--scratch-path", scratch.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ModuleTable.Malformed(description: "swift package dump-package exited \(process.terminationStatus)")
        }
        return try PackageGraph(dump: data)
    }

    init(targets: [String: [String]]) {
        self.targets = targets
    }

    init(dump: Data) throws {
        struct Manifest: Decodable {
            struct Target: Decodable {
                var name: String
                var type: String
                var path: String?
                var dependencies: [[String: [String?]]]
            }
            var targets: [Target]
        }
        let manifest = try JSONDecoder().decode(Manifest.self, from: dump)
        targets = [:]
        for target in manifest.targets where target.type != "test" && target.name != "RaveboxTestSupport" {
            // Each dependency is {"byName"|"target"|"product": [name, ...]}.
            targets[target.name] = target.dependencies.compactMap { $0.values.first?.first ?? nil }
            paths[target.name] = target.path ?? "Sources/\(target.name)"
        }
    }

    /// `swift` from PATH, else next to the toolchain running this test, else /opt/swift.
    static func swiftExecutable() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        var candidates = (environment["PATH"] ?? "").split(separator: ":").map { "\($0)/swift" }
        let runner = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).resolvingSymlinksInPath()
        var folder = runner.deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(folder.appendingPathComponent("bin/swift").path)
            folder = folder.deletingLastPathComponent()
        }
        candidates.append("/opt/swift/usr/bin/swift")
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw ModuleTable.Malformed(description: "no swift executable found to read Package.swift")
        }
        return found
    }
}

/// The modules each target's Swift files import, with one file that does.
enum SourceImports {
    static func read(graph: PackageGraph, root: URL) throws -> [String: [String: String]] {
        var result: [String: [String: String]] = [:]
        for (target, path) in graph.paths {
            let folder = root.appendingPathComponent(path)
            guard let files = FileManager.default.enumerator(atPath: folder.path) else { continue }
            var imports: [String: String] = [:]
            for case let file as String in files where file.hasSuffix(".swift") {
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                for module in modules(importedBy: text) where imports[module] == nil {
                    imports[module] = "\(path)/\(file)"
                }
            }
            result[target] = imports
        }
        return result
    }

    /// `import X`, `@testable import X`, `import struct X.Y`, indented or not (inside `#if`).
    static func modules(importedBy text: String) -> [String] {
        text.split(separator: "\n").compactMap { line -> String? in
            var words = line.split(separator: " ").map(String.init)
            if words.first == "@testable" || words.first == "@_exported" { words.removeFirst() }
            guard words.first == "import", words.count >= 2 else { return nil }
            let kinds: Set = ["struct", "class", "enum", "protocol", "func", "var", "let", "typealias"]
            let name = kinds.contains(words[1]) && words.count >= 3 ? words[2] : words[1]
            return name.split(separator: ".").first.map(String.init)
        }
    }
}

/// What docs/architecture.md's table demands of the graph and the imports.
enum ModuleRules {
    /// Modules of the toolchain itself, which any file may import.
    static let toolchain: Set = [
        "Foundation", "FoundationEssentials", "FoundationNetworking", "Synchronization",
        "Glibc", "Darwin", "Dispatch",
    ]

    static func violations(table: ModuleTable, graph: PackageGraph, imports: [String: [String: String]]) -> [String] {
        var found: [String] = []
        for target in graph.targets.keys.sorted() where !isCShim(target) {
            guard let row = table.rows[target] else {
                found.append("\(target) has no row in the module table")
                continue
            }
            for dependency in graph.targets[target] ?? [] where !matches(dependency, row.allowed) {
                found.append("\(target) depends on \(dependency), which its row does not allow")
            }
            for (reached, path) in reachable(from: target, in: graph).sorted(by: { $0.key < $1.key })
            where matches(reached, row.forbidden) {
                found.append(
                    "\(target) reaches \(reached), which it must never import: \(path.joined(separator: " → "))")
            }
            let declared = Set(graph.targets[target] ?? [])
            for (module, file) in (imports[target] ?? [:]).sorted(by: { $0.key < $1.key })
            where !toolchain.contains(module) && !declared.contains(module) {
                found.append("\(file) imports \(module), which \(target) does not declare in Package.swift")
            }
        }
        for name in table.rows.keys.sorted() where graph.targets[name] == nil && !isCShim(name) {
            found.append("the module table names \(name), which Package.swift does not have")
        }
        return found
    }

    /// `CALSA`, `CRaveboxSys`: a C target, which has no row and no Swift imports to check.
    static func isCShim(_ name: String) -> Bool {
        name.count > 1 && name.first == "C" && name.dropFirst().first?.isUppercase == true
    }

    /// Every name reachable from `start` through target dependencies, with the shortest path to it.
    static func reachable(from start: String, in graph: PackageGraph) -> [String: [String]] {
        var paths: [String: [String]] = [start: [start]]
        var queue = [start]
        while !queue.isEmpty {
            let current = queue.removeFirst()
            for next in graph.targets[current] ?? [] where paths[next] == nil {
                paths[next] = paths[current]! + [next]
                queue.append(next)
            }
        }
        paths[start] = nil
        return paths
    }

    /// Whether `name` matches one of `patterns` (`*` matches any run of characters).
    static func matches(_ name: String, _ patterns: [String]) -> Bool {
        patterns.contains { pattern in
            let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
            guard parts.count > 1 else { return name == pattern }
            guard name.hasPrefix(parts[0]), name.hasSuffix(parts[parts.count - 1]),
                name.count >= parts[0].count + parts[parts.count - 1].count
            else { return false }
            var rest = name.dropFirst(parts[0].count).dropLast(parts[parts.count - 1].count)
            for middle in parts.dropFirst().dropLast() where !middle.isEmpty {
                guard let range = rest.range(of: middle) else { return false }
                rest = rest[range.upperBound...]
            }
            return true
        }
    }
}
