# Read a Portfile (or a hook snippet for one) the way port sources it, in a
# safe interpreter where every Portfile command is recorded instead of run:
# its Tcl syntax must be complete, every top-level command must evaluate,
# and the body of every phase block (post-activate {…}, …) must parse and
# evaluate too. Prints the top-level command names, one per line.
#
#   tclsh parse_portfile.tcl PORTFILE
set path [lindex $argv 0]
set f [open $path]
set text [read $f]
close $f
if {![info complete $text]} {
    puts stderr "$path: incomplete Tcl: unbalanced braces, brackets or quotes"
    exit 1
}
set sandbox [interp create -safe]
foreach {var value} {prefix /opt/local destroot /tmp/destroot name relaunch version 0.1.0
                     revision 0 worksrcpath /tmp/work filespath /tmp/files} {
    $sandbox eval [list set $var $value]
}
# Unknown commands (PortSystem, depends_lib-append, xinstall, file, exec, …)
# are recorded and answer 0, so conditions that use them still evaluate.
$sandbox eval {
    set seen {}
    proc unknown {args} {
        global seen
        lappend seen [lindex $args 0]
        return 0
    }
}
foreach phase {fetch checksum extract patch configure build test destroot archive install
               activate deactivate} {
    foreach when {pre post} {
        $sandbox eval [list proc $when-$phase {body} [format {
            global seen
            lappend seen %s
            if {![info complete $body]} { error "%s: incomplete body" }
            uplevel #0 $body
        } $when-$phase $when-$phase]]
    }
}
if {[catch {$sandbox eval $text} err]} {
    puts stderr "$path: $err"
    exit 1
}
foreach name [$sandbox eval {set seen}] {
    puts $name
}
