#ifndef RAVEBOX_CFUZZDRIVER_H
#define RAVEBOX_CFUZZDRIVER_H

/// Runs libFuzzer (its command line: corpus folders, -max_total_time=, -dict=, ...) on the target's
/// LLVMFuzzerTestOneInput and returns its exit status. SwiftPM links an executable's `main` to the Swift module's
/// entry point, so libFuzzer's own `main` is never linked; each target's `@main` calls this instead.
int rb_fuzz_main(int argc, char **argv);

#endif
