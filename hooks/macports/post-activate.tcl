# The post-activate block a Portfile with a startup item adds (see
# README.md). It is safe when relaunch is absent, and a failure never fails
# the activation: relaunch notify only writes one entry below the prefix
# and exits 0, and catch swallows anything else (exec also raises when the
# command writes to stderr).
post-activate {
    if {[file executable ${prefix}/bin/relaunch]} {
        catch {exec ${prefix}/bin/relaunch notify --port ${name} --version ${version}_${revision}}
    }
}
