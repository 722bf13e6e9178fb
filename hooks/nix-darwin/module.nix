# nix-darwin module: services.relaunch.enable = true;
#
# nix-darwin reloads a launchd job only when its plist text changes, so a
# daemon whose binary or libraries changed in a switch keeps running the
# old store paths. This module
# - queues a notification at the end of every activation (postActivation),
#   after nix-darwin has reloaded the jobs whose plists changed;
# - installs relaunch's own daemon, the one `relaunch agent print --system`
#   prints: launchd starts it when the queue fills (QueueDirectories) or a
#   profile changes (WatchPaths), and it runs `relaunch run --drain-queue`.
# With daemon = false, activation runs relaunch directly instead.
{
  config,
  lib,
  pkgs,
  ...
}:

let
  cfg = config.services.relaunch;
  relaunch = lib.getExe cfg.package;
  q = lib.escapeShellArg cfg.queue;
  state = lib.escapeShellArg cfg.stateDir;
  old = lib.escapeShellArg cfg.oldStateDir;
  # The state files relaunch keeps (README, The state directory): not its
  # locks, agent.log (the new job's own) nor a queue kept below the old
  # directory. Each is copied to a temporary name and renamed into place,
  # the manifest last: a copy cut short leaves stateDir without one, and
  # the next switch copies again; a failed copy or rename removes its
  # temporary, never left behind. Every failure is checked by hand (set -e
  # does not apply in a function called with ||) and only warned of: the
  # switch goes on, and the run records a baseline as before.
  migrate = ''
    relaunch_migrate() {
      local f
      [ -d ${state} ] || mkdir -p -m 0700 ${state} || return 1
      for f in config.json history.json intent.json plists.json runs.json watch.json \
        manifest.json; do
        [ -f ${old}/"$f" ] || continue
        [ ! -e ${state}/"$f" ] || continue
        if ! { cp -p ${old}/"$f" ${state}/".$f.moving" &&
          mv -f ${state}/".$f.moving" ${state}/"$f"; }; then
          rm -f ${state}/".$f.moving"
          return 1
        fi
      done
    }
    if [ ! -e ${state}/manifest.json ] && [ -f ${old}/manifest.json ]; then
      relaunch_migrate ||
        echo "relaunch: warning: cannot copy the state of '"${old}"' into '"${state}"': the next run records a new baseline" >&2
    fi
  '';
in
{
  options.services.relaunch = {
    enable = lib.mkEnableOption "relaunch, restarting launchd jobs whose files a switch changed";

    package = lib.mkOption {
      type = lib.types.package;
      default = pkgs.relaunch or (pkgs.callPackage ../../formula-examples/default.nix { });
      defaultText = lib.literalExpression "pkgs.relaunch";
      description = "The relaunch package.";
    };

    daemon = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = ''
        Install relaunch's own launchd daemon (started by its queue and by
        changes to the nix profiles). When false, activation runs
        `relaunch run` itself.
      '';
    };

    queue = lib.mkOption {
      type = lib.types.str;
      default = "/var/lib/relaunch/queue";
      description = "The notification queue (QueueDirectories).";
    };

    stateDir = lib.mkOption {
      type = lib.types.str;
      # relaunch's own default as root on macOS: `sudo relaunch status`,
      # `log` and `run` by hand read the daemon's runs and share its lock.
      default = "/Library/Application Support/relaunch";
      description = "relaunch's state directory (manifest, run log, agent.log).";
    };

    oldStateDir = lib.mkOption {
      type = lib.types.str;
      # the stateDir default of earlier versions of this module
      default = "/var/lib/relaunch";
      description = ''
        Where earlier versions of this module kept the state. When stateDir
        has no manifest yet and this one has, activation copies its state
        into stateDir before relaunch runs, so the first switch after the
        move is compared with the last manifest, not taken as a baseline.
      '';
    };

    interval = lib.mkOption {
      type = lib.types.ints.positive;
      default = 30;
      description = "ThrottleInterval: at most one start of the daemon per this many seconds.";
    };

    watchPaths = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ "/nix/var/nix/profiles" ];
      description = "Paths whose changes start the daemon (WatchPaths).";
    };
  };

  config = lib.mkIf cfg.enable {
    environment.systemPackages = [ cfg.package ];

    system.activationScripts.postActivation.text = lib.mkAfter (
      migrate
      + (if cfg.daemon then
        # The activate script runs under set -e: a failing command would
        # stop the switch, so neither may fail (notify says what went wrong).
        ''
          mkdir -p ${q} || true
          ${relaunch} notify --queue ${q} --source nix-darwin || true
        ''
      else
        ''
          echo "restarting launchd jobs whose files changed..." >&2
          ${relaunch} run --state-dir ${state} || true
        '')
    );

    launchd.daemons.relaunch = lib.mkIf cfg.daemon {
      serviceConfig = {
        Label = "org.relaunch.drain";
        ProgramArguments = [
          relaunch
          "run"
          "--drain-queue"
          "--queue"
          cfg.queue
          "--state-dir"
          cfg.stateDir
        ];
        QueueDirectories = [ cfg.queue ];
        WatchPaths = cfg.watchPaths;
        ThrottleInterval = cfg.interval;
        RunAtLoad = false;
        ProcessType = "Background";
        LowPriorityIO = true;
        StandardOutPath = "${cfg.stateDir}/agent.log";
        StandardErrorPath = "${cfg.stateDir}/agent.log";
      };
    };
  };
}
