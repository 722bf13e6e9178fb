# A tap formula with a service that tells relaunch when it was upgraded.
#
# post_install runs after every install and upgrade, inside Homebrew's
# sandbox (writes only below HOMEBREW_PREFIX, $HOME unreadable), and a
# failing post_install fails the install. So the hook only queues a small
# entry with `relaunch notify` (which writes below the prefix and always
# exits 0), does so only when relaunch is installed, and ignores any
# failure. relaunch's own launchd job then restarts this service, and every
# other job using what changed, once the upgrade is over.
class ExampleDaemon < Formula
  desc "Example network daemon whose upgrades restart it through relaunch"
  homepage "https://example.org/example-daemon"
  url "https://example.org/example-daemon-2.4.1.tar.gz"
  sha256 "1111111111111111111111111111111111111111111111111111111111111111"
  license "MIT"

  depends_on "openssl@3"

  def install
    system "./configure", "--disable-silent-rules", *std_configure_args
    system "make", "install"
  end

  def post_install
    (var/"example-daemon").mkpath
    relaunch = HOMEBREW_PREFIX/"bin/relaunch"
    return unless relaunch.executable?

    quiet_system relaunch, "notify", "--formula", name, "--version", pkg_version.to_s
  end

  service do
    run [opt_bin/"example-daemon", "--foreground", "--config", etc/"example-daemon.conf"]
    keep_alive true
    working_dir var/"example-daemon"
    log_path var/"log/example-daemon.log"
    error_log_path var/"log/example-daemon.log"
  end

  test do
    assert_match version.to_s, shell_output("#{bin}/example-daemon --version")
  end
end
