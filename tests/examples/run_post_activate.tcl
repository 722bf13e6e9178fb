# Run a Portfile's post-activate block (or the hook snippet of
# hooks/macports/) the way port does after activating an image: the block is
# evaluated with the port's options as globals (port1.0's makeuserproc
# declares every global in the phase procedure), and an error out of it fails
# the activation, so it exits 1 here. Other Portfile commands are recorded
# and ignored, as in parse_portfile.tcl. exec is Tcl's own: it raises when
# the command exits non-zero or writes to stderr.
#
#   tclsh run_post_activate.tcl FILE PREFIX NAME VERSION REVISION
lassign $argv path prefix name version revision
set subport $name
set post_activate_bodies {}
proc post-activate {body} {
    global post_activate_bodies
    lappend post_activate_bodies $body
}
proc unknown {args} {
    return 0
}
foreach level {msg warn error debug info notice} {
    proc ui_$level {text} "puts stderr \"ui_$level: \$text\""
}
set f [open $path]
set text [read $f]
close $f
eval $text
set n 0
foreach body $post_activate_bodies {
    proc post-activate-[incr n] {} "foreach g \[info globals\] { global \$g }\n$body"
    if {[catch {post-activate-$n} err]} {
        puts stderr "post-activate failed: $err"
        exit 1
    }
}
puts "post-activate done ($n blocks)"
