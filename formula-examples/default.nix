# relaunch as a nix package: `nix-build formula-examples` from a checkout
# (which calls this with no arguments: each defaults to <nixpkgs>'s), or
# `callPackage ./default.nix { src = <a fetched source>; }` elsewhere
# (the flake beside this file does that).
{
  pkgs ? import <nixpkgs> { },
  lib ? pkgs.lib,
  stdenv ? pkgs.stdenv,
  meson ? pkgs.meson,
  ninja ? pkgs.ninja,
  pkg-config ? pkgs.pkg-config,
  scdoc ? pkgs.scdoc,
  jansson ? pkgs.jansson,
  libarchive ? pkgs.libarchive,
  libplist ? pkgs.libplist,
  openssl ? pkgs.openssl,
  src ? lib.cleanSource ../.,
}:

stdenv.mkDerivation {
  pname = "relaunch";
  version = "0.1.0";
  inherit src;

  nativeBuildInputs = [
    meson
    ninja
    pkg-config
    scdoc
  ];
  buildInputs = [
    jansson
    libarchive
    libplist
    openssl
  ];

  # The test suite needs clang, lld and llvm (it builds Mach-O files), and
  # runs real daemons under a launchd simulator: it is CI's, not the build's.
  doCheck = false;

  doInstallCheck = true;
  installCheckPhase = ''
    runHook preInstallCheck
    $out/bin/relaunch --version | grep -F "relaunch 0.1.0"
    # The man page and the completions, where nix profiles link them.
    test -f $out/share/man/man1/relaunch.1
    test -f $out/share/bash-completion/completions/relaunch
    test -f $out/share/zsh/site-functions/_relaunch
    test -f $out/share/fish/vendor_completions.d/relaunch.fish
    mkdir queue
    $out/bin/relaunch notify --queue queue --source nix
    test "$(ls queue | wc -l)" -eq 1
    runHook postInstallCheck
  '';

  meta = {
    description = "Restart launchd jobs that still run replaced binaries and libraries";
    homepage = "https://github.com/relaunch/relaunch";
    license = lib.licenses.mit;
    platforms = lib.platforms.darwin ++ lib.platforms.linux;
    mainProgram = "relaunch";
  };
}
