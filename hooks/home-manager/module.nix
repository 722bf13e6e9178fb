# home-manager module: services.relaunch.enable = true;
#
# home-manager boots out and bootstraps an agent only when its plist
# changed. This module
# - queues a notification from an activation entry that runs after
#   setupLaunchAgents (so after home-manager's own reloads);
# - installs relaunch's own agent, the one `relaunch agent print` prints:
#   launchd starts it when the queue fills (QueueDirectories) or the
#   profile changes (WatchPaths), and it runs `relaunch run --drain-queue`
#   for your agents.
{
  config,
  lib,
  pkgs,
  ...
}:

let
  cfg = config.services.relaunch;
  relaunch = lib.getExe cfg.package;
  stateDir = "${config.home.homeDirectory}/Library/Application Support/relaunch";
in
{
  options.services.relaunch = {
    enable = lib.mkEnableOption "relaunch, restarting your launchd agents whose files a switch changed";

    package = lib.mkOption {
      type = lib.types.package;
      default = pkgs.relaunch or (pkgs.callPackage ../../formula-examples/default.nix { });
      defaultText = lib.literalExpression "pkgs.relaunch";
      description = "The relaunch package.";
    };

    queue = lib.mkOption {
      type = lib.types.str;
      default = "${stateDir}/queue";
      description = "The notification queue (QueueDirectories).";
    };

    interval = lib.mkOption {
      type = lib.types.ints.positive;
      default = 30;
      description = "ThrottleInterval: at most one start of the agent per this many seconds.";
    };
  };

  config = lib.mkIf cfg.enable {
    home.packages = [ cfg.package ];

    # Activation runs under set -eu: a failing command would stop it, so
    # neither may fail (notify says what went wrong).
    home.activation.relaunch = lib.hm.dag.entryAfter [ "setupLaunchAgents" ] ''
      run mkdir -p ${lib.escapeShellArg cfg.queue} || true
      run ${relaunch} notify --queue ${lib.escapeShellArg cfg.queue} --source home-manager || true
    '';

    launchd.agents.relaunch = {
      enable = true;
      config = {
        Label = "org.relaunch.drain";
        ProgramArguments = [
          relaunch
          "run"
          "--drain-queue"
          "--queue"
          cfg.queue
          "--state-dir"
          stateDir
        ];
        QueueDirectories = [ cfg.queue ];
        WatchPaths = [
          "${config.home.homeDirectory}/.nix-profile"
          "/nix/var/nix/profiles"
        ];
        ThrottleInterval = cfg.interval;
        RunAtLoad = false;
        ProcessType = "Background";
        LowPriorityIO = true;
        # As `relaunch agent install` writes it: loadable in gui/<uid> and,
        # without a GUI login, in user/<uid> (an agent without the key is
        # launchd's Aqua only).
        LimitLoadToSessionType = [
          "Aqua"
          "Background"
        ];
        StandardOutPath = "${stateDir}/agent.log";
        StandardErrorPath = "${stateDir}/agent.log";
      };
    };
  };
}
