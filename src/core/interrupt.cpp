// Cooperative interruption (see interrupt.hpp).
#include "hat/core/interrupt.hpp"

#include <atomic>
#include <thread>

namespace hat {

namespace {
std::atomic<bool> g_installed{false};
std::atomic<bool> g_interrupted{false};
std::function<bool()> g_poll;
std::thread::id g_owner;
}  // namespace

void set_interrupt_poll(std::function<bool()> poll) {
  g_installed.store(false);
  g_poll = std::move(poll);
  g_owner = std::this_thread::get_id();
  g_installed.store(static_cast<bool>(g_poll));
}

void interruption_point() {
  if (!g_installed.load(std::memory_order_acquire)) return;
  if (!g_interrupted.load() && std::this_thread::get_id() == g_owner && g_poll())
    g_interrupted.store(true);
  if (g_interrupted.load()) throw Interrupted();
}

void clear_interrupt() {
  g_interrupted.store(false);
}

}  // namespace hat
