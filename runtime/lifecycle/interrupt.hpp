// Catchable termination signals (TERM INT HUP QUIT) during long waits of create/run/exec: the
// handler only records the signal, and every wait loop checks it so the command can undo what
// it made before it dies. Installed without SA_RESTART so blocking calls return EINTR.
#pragma once

namespace skiff::runtime {

void install_interrupt_handlers();
void restore_default_handlers();
// The signal that arrived, or 0.
int interrupted();

} // namespace skiff::runtime
