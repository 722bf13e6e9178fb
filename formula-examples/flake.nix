# A flake for relaunch: the package, and the nix-darwin and home-manager
# modules of hooks/. Use it as an input:
#   inputs.relaunch.url = "github:relaunch/relaunch?dir=formula-examples";
#   darwinConfigurations.mac.modules = [ relaunch.darwinModules.default
#     { services.relaunch.enable = true; } ];
{
  description = "relaunch: restart launchd jobs that still run replaced binaries and libraries";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixpkgs-unstable";
    # The source tree this directory belongs to (a flake cannot read above
    # its own directory).
    relaunch-src = {
      url = "github:relaunch/relaunch";
      flake = false;
    };
  };

  outputs =
    {
      self,
      nixpkgs,
      relaunch-src,
    }:
    let
      systems = [
        "aarch64-darwin"
        "x86_64-darwin"
        "aarch64-linux"
        "x86_64-linux"
      ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
    in
    {
      packages = forAllSystems (pkgs: {
        relaunch = pkgs.callPackage ./default.nix { src = relaunch-src; };
        default = self.packages.${pkgs.stdenv.hostPlatform.system}.relaunch;
      });

      overlays.default = final: prev: {
        relaunch = final.callPackage ./default.nix { src = relaunch-src; };
      };

      darwinModules.default = {
        imports = [ "${relaunch-src}/hooks/nix-darwin/module.nix" ];
        nixpkgs.overlays = [ self.overlays.default ];
      };

      homeManagerModules.default = {
        imports = [ "${relaunch-src}/hooks/home-manager/module.nix" ];
      };
    };
}
