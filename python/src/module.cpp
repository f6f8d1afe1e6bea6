// hat._hat: the extension module of the Python package. The pure-Python layer (hat/__init__.py)
// turns its plain results (dicts of numpy arrays, CSV text, JSON objects) into result objects
// with pandas tables.
#include <fmt/format.h>
#include <omp.h>

#include <chrono>

#include "common.hpp"
#include "hat/core/build_info.hpp"
#include "hat/core/error.hpp"
#include "hat/core/interrupt.hpp"
#include "hat/core/memory.hpp"

namespace hat::python {

py::object to_python(const nlohmann::json& j) {
  // A handle, never released: a static py::object would be destroyed after the interpreter.
  static py::handle loads = py::object(py::module_::import("json").attr("loads")).release();
  return loads(j.dump());
}

py::dict tables(const io::OutputDir& out) {
  py::dict d;
  for (const auto& [name, content] : out.files()) {
    const bool text = name.ends_with(".csv") || name.ends_with(".toml");
    if (text) d[py::str(name)] = py::str(content);
  }
  return d;
}

namespace {
void call_and_check(py::handle callback, const std::string& message) {
  py::gil_scoped_acquire gil;
  if (!callback.is_none()) callback(message);
  if (PyErr_CheckSignals() != 0) throw py::error_already_set();
}
}  // namespace

ProgressCallback evaluation_hook(py::handle callback, std::string what) {
  return [callback, what](const Progress& p) {
    call_and_check(callback, evaluation_line(what, p));
    return Control::kContinue;
  };
}

ProgressCallback message_hook(py::handle callback) {
  return [callback](const Progress& p) {
    if (!p.message.empty()) call_and_check(callback, std::string(p.message));
    return Control::kContinue;
  };
}

namespace {
// The exception a Ctrl-C raised inside a solve (normally KeyboardInterrupt), held from the poll
// that saw it to the translator that raises it again.
PyObject *g_interrupt_type = nullptr, *g_interrupt_value = nullptr, *g_interrupt_tb = nullptr;

// The poll of hat::interruption_point on the interpreter's main thread: at most every 50 ms it
// takes the GIL and lets Python run its signal handlers. A raised exception is kept for the
// translator and stops the solve; threads of the solve stop at their next iteration.
bool poll_python_signals() {
  using clock = std::chrono::steady_clock;
  static clock::time_point next{};
  const clock::time_point now = clock::now();
  if (now < next) return false;
  next = now + std::chrono::milliseconds(50);
  py::gil_scoped_acquire gil;
  if (PyErr_CheckSignals() == 0) return false;
  PyErr_Fetch(&g_interrupt_type, &g_interrupt_value, &g_interrupt_tb);
  return true;
}

void raise_interrupt() {
  clear_interrupt();
  if (g_interrupt_type) {
    PyErr_Restore(g_interrupt_type, g_interrupt_value, g_interrupt_tb);
    g_interrupt_type = g_interrupt_value = g_interrupt_tb = nullptr;
  } else {
    PyErr_SetNone(PyExc_KeyboardInterrupt);
  }
}
}  // namespace

void set_threads(int threads) {
  if (threads > 0) omp_set_num_threads(threads);
}

namespace {
// Owned by the module (its attributes); plain handles so nothing is released at exit.
py::handle g_config_error, g_data_error, g_numerical_error;
}  // namespace

py::object data_error() {
  return py::reinterpret_borrow<py::object>(g_data_error);
}

void register_errors(py::module_& m) {
  // Subclasses of ValueError carrying the library's one-line InputError message; the Python
  // layer re-exports them as hat.ConfigError and hat.DataError.
  g_config_error = py::exception<InputError>(m, "ConfigError", PyExc_ValueError).release();
  g_data_error = py::exception<Source>(m, "DataError", PyExc_ValueError).release();
  g_numerical_error =
      py::exception<NumericalError>(m, "NumericalError", PyExc_RuntimeError).release();
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const InputError& e) {
      PyErr_SetString(g_config_error.ptr(), e.what());
    } catch (const NumericalError& e) {
      PyErr_SetString(g_numerical_error.ptr(), e.what());
    } catch (const Interrupted&) {
      raise_interrupt();
    }
  });
  // Ctrl-C inside any solve run from the interpreter's main thread (the thread importing hat).
  set_interrupt_poll(poll_python_signals);
}

}  // namespace hat::python

PYBIND11_MODULE(_hat, m) {
  using namespace hat::python;
  m.doc() = "hat: heterogeneous-agent trade models (extension module; use the package hat)";
  // As the hat tool does at start-up: freed memory stays mapped in the process, so repeated
  // solves do not page-fault on every new array (about a quarter of a household solve).
  hat::keep_freed_memory();
  m.attr("__version__") = hat::version();
  m.attr("git_commit") = hat::git_commit();
  py::class_<Source>(m, "Source")
      .def(py::init<std::string, bool, std::string>(), py::arg("text_or_path"), py::arg("is_path"),
           py::arg("name"));
  register_errors(m);
  register_household(m);
  register_world(m);
  register_transition(m);
  register_gravity(m);
  register_elasticity(m);
  register_ek(m);
  register_planner(m);
  register_calibrate(m);
  register_dynamic(m);
}
