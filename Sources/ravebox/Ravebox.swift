import ArgumentParser

/// `ravebox`: one binary for the whole box. `run` (the default) is the supervisor, which starts
/// `engine` and `web` as child processes of this same binary.
@main
struct Ravebox: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ravebox: the party box. Guests request and vote songs; the box plays them and lights up.",
        discussion: """
            Configuration is read in layers, later ones winning: built-in defaults, the YAML file (--config), \
            RAVEBOX_* environment variables, command-line flags.

            Exit codes: 0 stopped on request, 1 failed while running, 2 invalid configuration, \
            3 could not start (data folder, database or shared memory).
            """,
        subcommands: [
            RunCommand.self, EngineCommand.self, WebCommand.self, ScanCommand.self, PlayCommand.self,
            StateCommand.self, IPCProbeCommand.self, SetupCommand.self, HotspotCommand.self,
        ],
        defaultSubcommand: RunCommand.self)
}
