// Three WASI guests in a pipeline on one thread: host -> guest 1 -> guest 2 -> guest 3 -> host,
// connected by pipes. Each guest is an unchanged C program (wasi_pipeline_filter.c) doing
// blocking getchar()/putchar(); every fd_read on an empty pipe suspends that guest while the
// io_context runs the others, so the stages run interleaved, line by line, on one thread. With
// blocking reads the first guest would wait forever for input the host never gets to write.
//
//   wasi_pipeline FILTER.wasm [LINES]
#include <corowasm/async.h>
#include <corowasm/wasi.h>

#include <boost/asio.hpp>
#include <fcntl.h>
#include <algorithm>
#include <array>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <unistd.h>

namespace asio = boost::asio;
using corowasm::Value;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: wasi_pipeline FILTER.wasm [LINES]\n";
    return 1;
  }
  const int lines = argc > 2 ? std::atoi(argv[2]) : 1000;
  const int stages = 3;
  std::ifstream in(argv[1], std::ios::binary);
  std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
  corowasm::Engine engine;
  corowasm::Module module = engine.compile(bytes);

  asio::io_context io;
  // pipes[k] feeds stage k; pipes[stages] comes back to the host.
  std::vector<std::array<int, 2>> pipes(stages + 1);
  for (auto& p : pipes)
    if (::pipe2(p.data(), O_CLOEXEC) != 0) return 1;

  struct Stage {
    std::unique_ptr<corowasm::wasi::Context> wasi;
    corowasm::Store store;
    std::unique_ptr<corowasm::AsyncInstance> guest;
  };
  std::vector<Stage> guests;
  int finished = 0;
  for (int k = 0; k < stages; ++k) {
    corowasm::wasi::Config cfg;
    cfg.args = {"filter", "stage" + std::to_string(k + 1)};
    cfg.stdin_fd = pipes[k][0];
    cfg.stdout_fd = pipes[k + 1][1];
    Stage s{std::make_unique<corowasm::wasi::Context>(cfg), corowasm::Store(engine), nullptr};
    corowasm::Imports imports;
    s.wasi->define(imports, s.store, io.get_executor());
    s.guest = std::make_unique<corowasm::AsyncInstance>(io.get_executor(), s.store.instantiate(module, imports));
    guests.push_back(std::move(s));
  }
  // The contexts hold duplicates: close our copies so each pipe ends when its writer does.
  for (int k = 0; k <= stages; ++k) {
    if (k < stages) ::close(pipes[k][0]);
    if (k > 0) ::close(pipes[k][1]);
  }
  for (int k = 0; k < stages; ++k)
    guests[k].guest->async_call("_start", {}, [&, k](corowasm::error_code ec, std::vector<Value>) {
      if (ec && ec != corowasm::make_error_code(corowasm::TrapKind::Exit))
        std::cerr << "stage " << k + 1 << ": " << ec.message() << "\n";
      // A finished stage closes its descriptors so that the next stage reads end-of-file.
      guests[k].wasi->close_fds();
      ++finished;
    });

  // The host writes the input and reads the output asynchronously, on the same thread.
  asio::posix::stream_descriptor to_first(io, pipes[0][1]), from_last(io, pipes[stages][0]);
  std::string input;
  for (int i = 0; i < lines; ++i) input += "line " + std::to_string(i) + " of the pipeline\n";
  asio::async_write(to_first, asio::buffer(input), [&](boost::system::error_code ec, size_t) {
    if (ec) std::cerr << "write: " << ec.message() << "\n";
    to_first.close();
  });
  std::string output;
  std::array<char, 4096> buf;
  std::function<void(boost::system::error_code, size_t)> on_read = [&](boost::system::error_code ec, size_t n) {
    output.append(buf.data(), n);
    if (!ec) from_last.async_read_some(asio::buffer(buf), on_read);
  };
  from_last.async_read_some(asio::buffer(buf), on_read);
  io.run();

  std::string expected = input;
  for (char& c : expected) c = char(std::toupper(static_cast<unsigned char>(c)));
  std::cout << "stages finished: " << finished << " of " << stages << "\n"
            << "lines through the pipeline: " << std::count(output.begin(), output.end(), '\n') << " of " << lines
            << "\n"
            << "output " << (output == expected ? "matches" : "DIFFERS FROM") << " the upper-cased input\n";
  return finished == stages && output == expected ? 0 : 1;
}
