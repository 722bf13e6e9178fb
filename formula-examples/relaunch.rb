# Homebrew formula for relaunch itself (a tap's Formula/relaunch.rb).
#
# Homebrew's `service do` DSL (Library/Homebrew/service.rb) has no
# WatchPaths or QueueDirectories, so the service below polls: every five
# minutes it runs the cheap `relaunch run --drain-queue`, which exits at
# once when nothing was queued and no watched path changed. The caveats
# point at `relaunch agent install`, the precise form that launchd starts
# when the queue fills or Homebrew relinks something.
class Relaunch < Formula
  desc "Restart launchd jobs that still run replaced binaries and libraries"
  homepage "https://github.com/relaunch/relaunch"
  url "https://github.com/relaunch/relaunch/archive/refs/tags/v0.1.0.tar.gz"
  # The release process replaces this with the tarball's SHA-256.
  sha256 "0000000000000000000000000000000000000000000000000000000000000000"
  license "MIT"
  head "https://github.com/relaunch/relaunch.git", branch: "main"

  depends_on "meson" => :build
  depends_on "ninja" => :build
  depends_on "pkgconf" => :build
  depends_on "scdoc" => :build
  depends_on "jansson"
  depends_on "libarchive"
  depends_on "libplist"
  depends_on :macos
  depends_on "openssl@3"

  # meson installs the man page (man1/relaunch.1, built with scdoc) and the
  # completions where Homebrew links them: share/bash-completion/completions
  # (read by bash-completion@2), share/zsh/site-functions and
  # share/fish/vendor_completions.d.
  def install
    system "meson", "setup", "build", *std_meson_args
    system "meson", "compile", "-C", "build", "--verbose"
    system "meson", "install", "-C", "build"
  end

  def post_install
    # The queue other formulae's post_install hooks write to (relaunch
    # notify's default: <prefix>/var/relaunch/queue).
    (var/"relaunch/queue").mkpath
  end

  service do
    run [opt_bin/"relaunch", "run", "--drain-queue", "--queue", var/"relaunch/queue"]
    run_type :interval
    interval 300
    process_type :background
    log_path var/"log/relaunch.log"
    error_log_path var/"log/relaunch.log"
  end

  def caveats
    <<~EOS
      To restart your launchd jobs by themselves after each upgrade, install
      relaunch's own launchd job, which launchd starts when a formula queues a
      notification or Homebrew relinks anything:
        relaunch agent install
      (sudo relaunch agent install --system for daemons in /Library/LaunchDaemons).
      `brew services start relaunch` instead polls every five minutes.
      What each run did: relaunch status, relaunch log.
    EOS
  end

  test do
    assert_match version.to_s, shell_output("#{bin}/relaunch --version")
    assert_path_exists man1/"relaunch.1"
    assert_path_exists share/"bash-completion/completions/relaunch"
    assert_path_exists zsh_completion/"_relaunch"
    assert_path_exists fish_completion/"relaunch.fish"
    queue = testpath/"queue"
    queue.mkpath
    system bin/"relaunch", "notify", "--queue", queue, "--formula", "test", "--version", "1.0"
    entries = queue.children
    assert_equal 1, entries.length
    assert_match '"source":"homebrew"', entries.first.read
    # notify never fails a hook, even without a queue.
    system bin/"relaunch", "notify", "--queue", testpath/"missing"
    ENV["RELAUNCH_STATE_DIR"] = (testpath/"state").to_s
    ENV["RELAUNCH_AGENT_DIRS"] = (testpath/"agents").to_s
    ENV["RELAUNCH_DAEMON_DIRS"] = (testpath/"daemons").to_s
    ENV["RELAUNCH_WATCH_PATHS"] = (testpath/"watched").to_s
    (testpath/"agents").mkpath
    (testpath/"daemons").mkpath
    output = shell_output("#{bin}/relaunch run --drain-queue --queue #{queue} --quiet 0 --no-processes")
    assert_match "recorded the baseline", output
    assert_empty queue.children
    assert_match "queue", shell_output("#{bin}/relaunch log")
    assert_match "<key>QueueDirectories</key>",
                 shell_output("#{bin}/relaunch agent print --queue #{queue}")
  end
end
