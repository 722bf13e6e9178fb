# Evaluate a formula's `service do` block with the methods of Homebrew's
# service DSL (Library/Homebrew/service.rb) and print the launchd plist
# `brew services` writes from it, so that relaunch's own plist code can read
# it back. A method the DSL does not have fails, as it would in brew.
#
#   ruby render_service.rb FORMULA.rb PREFIX
require "pathname"

PREFIX = Pathname(ARGV.fetch(1))
HOMEBREW_PREFIX = PREFIX

class Formula
  def self.method_missing(_name, *_args, **_kw, &_block) # desc, url, depends_on, …
    nil
  end
  def self.respond_to_missing?(*)
    true
  end
  def self.test(&_block) # Kernel#test otherwise
    nil
  end
  def self.service(&block)
    (@service_block = block)
  end
  def self.service_block
    @service_block
  end

  def name
    self.class.name.gsub(/([a-z0-9])([A-Z])/, '\1-\2').downcase
  end
  def opt_prefix
    PREFIX/"opt"/name
  end
  def opt_bin
    opt_prefix/"bin"
  end
  def opt_sbin
    opt_prefix/"sbin"
  end
  def var
    PREFIX/"var"
  end
  def etc
    PREFIX/"etc"
  end
  def std_service_path_env
    "#{PREFIX}/bin:#{PREFIX}/sbin:/usr/bin:/bin:/usr/sbin:/sbin"
  end
end

class Service
  RUN_TYPES = %i[immediate interval cron].freeze
  PROCESS_TYPES = %i[background standard interactive adaptive].freeze

  def initialize(formula)
    @formula = formula
    @run_type = :immediate
    @values = {}
  end

  def method_missing(name, *args, &block)
    return @formula.public_send(name, *args, &block) if @formula.respond_to?(name)

    super
  end

  def respond_to_missing?(name, include_private = false)
    @formula.respond_to?(name) || super
  end

  def run(command)
    (@run = Array(command).map(&:to_s))
  end
  def run_type(type)
    raise ArgumentError, "run_type #{type.inspect} is not one of #{RUN_TYPES}" unless RUN_TYPES.include?(type)

    @run_type = type
  end

  def process_type(type)
    raise ArgumentError, "process_type #{type.inspect}" unless PROCESS_TYPES.include?(type)

    @values[:ProcessType] = type.to_s.capitalize
  end

  def interval(seconds)
    (@interval = Integer(seconds))
  end
  def cron(text)
    (@cron = text)
  end
  def keep_alive(value)
    (@values[:KeepAlive] = value == true || value.is_a?(Hash) ? value : false)
  end
  def launch_only_once(value)
    (@values[:LaunchOnlyOnce] = value)
  end
  def require_root(value)
    (@require_root = value)
  end
  def environment_variables(hash)
    (@values[:EnvironmentVariables] = hash.transform_keys(&:to_s).transform_values(&:to_s))
  end
  def working_dir(path)
    (@values[:WorkingDirectory] = path.to_s)
  end
  def root_dir(path)
    (@values[:RootDirectory] = path.to_s)
  end
  def input_path(path)
    (@values[:StandardInPath] = path.to_s)
  end
  def log_path(path)
    (@values[:StandardOutPath] = path.to_s)
  end
  def error_log_path(path)
    (@values[:StandardErrorPath] = path.to_s)
  end
  def restart_delay(seconds)
    (@values[:ThrottleInterval] = Integer(seconds))
  end
  def macos_legacy_timers(value)
    (@values[:LegacyTimers] = value)
  end
  def nice(value)
    (@values[:Nice] = Integer(value))
  end

  def to_plist
    raise ArgumentError, "service has no run" unless @run

    plist = { Label: "homebrew.mxcl.#{@formula.name}", ProgramArguments: @run,
              RunAtLoad: @run_type == :immediate }
    plist[:StartInterval] = @interval if @run_type == :interval
    plist.merge(@values)
  end
end

def xml(value, indent)
  pad = "\t" * indent
  case value
  when Hash
    inner = value.map { |k, v| "#{pad}\t<key>#{k}</key>\n#{xml(v, indent + 1)}" }.join
    "#{pad}<dict>\n#{inner}#{pad}</dict>\n"
  when Array then "#{pad}<array>\n#{value.map { |v| xml(v, indent + 1) }.join}#{pad}</array>\n"
  when true then "#{pad}<true/>\n"
  when false then "#{pad}<false/>\n"
  when Integer then "#{pad}<integer>#{value}</integer>\n"
  else "#{pad}<string>#{value.to_s.encode(xml: :text)}</string>\n"
  end
end

load ARGV.fetch(0)
klass = ObjectSpace.each_object(Class).find { |c| c < Formula && c.service_block }
abort "#{ARGV[0]}: no formula with a service block" unless klass
service = Service.new(klass.new)
service.instance_eval(&klass.service_block)
puts '<?xml version="1.0" encoding="UTF-8"?>'
puts '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">'
puts '<plist version="1.0">'
print xml(service.to_plist, 0)
puts "</plist>"
