// Cooperative interruption of long solves, for hosts where a signal only sets a flag that one
// thread reads (the Python interpreter: SIGINT becomes KeyboardInterrupt on its main thread
// when it next checks). The host installs a poll; the iterative loops of the library (household
// sweeps, the distribution's iteration) call interruption_point(), which throws
// hat::Interrupted once the poll has reported an interrupt. Every thread of a parallel loop then
// stops at its next iteration, and the exception leaves the loop through ParallelErrors.
// Without an installed poll (the command line) interruption_point() costs one atomic load.
#pragma once

#include <functional>
#include <stdexcept>

namespace hat {

class Interrupted : public std::runtime_error {
 public:
  Interrupted() : std::runtime_error("interrupted") {}
};

// Installs `poll` (nullptr removes it). It is called only on the thread that installs it (the
// host's main thread, where its signals are seen), from inside solves, so it must be cheap or
// rate-limit itself; it returns true to interrupt.
void set_interrupt_poll(std::function<bool()> poll);

// Throws Interrupted if an interrupt was reported (by the poll, now or earlier on another
// thread) and not yet cleared.
void interruption_point();

// Forgets a reported interrupt (the host calls it once it has raised its own exception).
void clear_interrupt();

}  // namespace hat
