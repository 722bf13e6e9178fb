# Run a formula's post_install (or the bare hook of hooks/homebrew/) the way
# `brew install` and `brew upgrade` do, with the parts of Homebrew it uses:
# HOMEBREW_PREFIX, Formula#name, #pkg_version, #var, Pathname#to_str
# (Library/Homebrew/extend/pathname.rb) and quiet_system
# (Library/Homebrew/utils.rb: fork, stdout and stderr to /dev/null, exec,
# true when the command exited 0, false otherwise; it never raises). An
# exception out of post_install fails the install, so it exits 1 here.
#
#   ruby run_post_install.rb FILE PREFIX VERSION [CLASS]
#
# FILE is a formula (its Formula subclass is run) or a hook snippet
# (evaluated into a formula class named CLASS, default ExampleDaemon).
require "pathname"

class Pathname
  alias to_str to_s
end

HOMEBREW_PREFIX = Pathname(ARGV.fetch(1))
PKG_VERSION = ARGV.fetch(2)

def quiet_system(cmd, argv0 = nil, *args)
  pid = fork do
    $stdout.reopen(File::NULL)
    $stderr.reopen(File::NULL)
    args.map!(&:to_s)
    begin
      argv0 ? exec(cmd, argv0, *args) : exec(cmd, *args)
    rescue StandardError
      nil
    end
    exit! 1
  end
  Process.wait(pid)
  $?.success?
end

class Formula
  def self.method_missing(_name, *_args, **_kw, &_block) # desc, url, service, …
    nil
  end

  def self.respond_to_missing?(*)
    true
  end

  def self.test(&_block)
    nil
  end

  def name
    self.class.name.gsub(/([a-z0-9])([A-Z])/, '\1-\2').downcase
  end

  def pkg_version
    PKG_VERSION
  end

  def var
    HOMEBREW_PREFIX/"var"
  end
end

path = ARGV.fetch(0)
text = File.read(path)
klass = if text.match?(/^class \w+ < Formula/)
  before = ObjectSpace.each_object(Class).select { |c| c < Formula }
  load path
  (ObjectSpace.each_object(Class).select { |c| c < Formula } - before).first
else
  Object.const_set(ARGV.fetch(3, "ExampleDaemon"), Class.new(Formula))
        .tap { |c| c.class_eval(text, path) }
end

begin
  klass.new.post_install
rescue Exception => e # rubocop:disable Lint/RescueException
  warn "post_install failed: #{e.class}: #{e.message}"
  exit 1
end
puts "post_install done"
