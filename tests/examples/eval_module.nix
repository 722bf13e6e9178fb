# Evaluate a nix-darwin or home-manager module of hooks/ without nixpkgs:
# the few lib functions the modules use, done as the module system does them
# (mkIf keeps its content only when the condition holds; mkAfter and
# hm.dag.entryAfter keep their content). Gives the options' defaults and
# the resolved config, for check_examples.py to run the activation text
# and compare the launchd job with `relaunch agent print`.
#
#   nix-instantiate --eval --strict --json eval_module.nix \
#     --arg module ./module.nix --argstr relaunch /path/to/relaunch \
#     --argstr home /Users/me --arg overrides '{ queue = "/q"; }'
{
  module,
  relaunch,
  home ? "/Users/me",
  overrides ? { },
}:
let
  lib = {
    mkEnableOption = description: {
      default = false;
      inherit description;
    };
    mkOption = o: o;
    types = {
      package = "package";
      bool = "bool";
      str = "str";
      ints.positive = "positive";
      listOf = t: "list of ${t}";
    };
    literalExpression = x: x;
    getExe = p: p.exe;
    escapeShellArg = s: "'" + builtins.replaceStrings [ "'" ] [ "'\\''" ] (toString s) + "'";
    mkIf = condition: content: {
      _type = "if";
      inherit condition content;
    };
    mkAfter = content: {
      _type = "order";
      inherit content;
    };
    hm.dag.entryAfter = after: data: {
      inherit after data;
      before = [ ];
    };
  };
  pkgs = {
    relaunch.exe = relaunch;
    callPackage = _: _: throw "pkgs.relaunch is given";
  };
  evaluated = import module {
    inherit lib pkgs config;
  };
  defaults = builtins.mapAttrs (_: o: o.default) evaluated.options.services.relaunch;
  config = {
    services.relaunch = defaults // { enable = true; } // overrides;
    home.homeDirectory = home;
  };
  resolve =
    v:
    if builtins.isAttrs v then
      if v ? _type then
        if v._type == "if" then (if v.condition then resolve v.content else null) else resolve v.content
      else
        builtins.mapAttrs (_: resolve) v
    else if builtins.isList v then
      map resolve v
    else
      v;
in
{
  defaults = builtins.removeAttrs defaults [ "package" ];
  config = resolve (builtins.removeAttrs (resolve evaluated.config) [ "home" "environment" ] // {
    home = builtins.removeAttrs (resolve evaluated.config).home or { } [ "packages" ];
  });
}
