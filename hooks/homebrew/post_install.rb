# The post_install a formula with a service adds (see README.md). It is
# safe when relaunch is absent, and a failure never fails the install:
# relaunch notify only writes one entry below the prefix and exits 0.
def post_install
  relaunch = HOMEBREW_PREFIX/"bin/relaunch"
  return unless relaunch.executable?

  quiet_system relaunch, "notify", "--formula", name, "--version", pkg_version.to_s
end
