PLIST = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
\t<key>Label</key>
\t<string>homebrew.mxcl.nginx</string>
\t<key>ProgramArguments</key>
\t<array>
\t\t<string>/opt/homebrew/opt/nginx/bin/nginx</string>
\t\t<string>-g</string>
\t\t<string>daemon off;</string>
\t</array>
\t<key>EnvironmentVariables</key>
\t<dict><key>PATH</key><string>/opt/homebrew/bin:/usr/bin</string></dict>
\t<key>KeepAlive</key>
\t<dict><key>SuccessfulExit</key><false/></dict>
\t<key>RunAtLoad</key>
\t<true/>
\t<key>ThrottleInterval</key>
\t<integer>30</integer>
\t<key>WorkingDirectory</key>
\t<string>/opt/homebrew</string>
</dict>
</plist>
"""

MACPORTS_PLIST = b"""<?xml version='1.0' encoding='UTF-8'?>
<plist version='1.0'><dict><key>Label</key><string>org.macports.redis</string>
<key>ProgramArguments</key><array><string>/opt/local/bin/daemondo</string>
<string>--label=redis</string><string>--start-cmd</string>
<string>/opt/local/etc/LaunchDaemons/org.macports.redis/redis.wrapper</string>
<string>start</string><string>;</string><string>--pid=none</string></array>
<key>Disabled</key><true/><key>KeepAlive</key><true/></dict></plist>
"""

WRAPPER = b"""#!/bin/sh
# MacPorts startup item wrapper
. /etc/rc.common
Init()
{
    PGCTL=/opt/local/lib/postgresql16/bin/pg_ctl
    export PATH="/opt/local/bin:$PATH"
}
StartService()
{
    Init
    sudo -u postgres /bin/sh -c "${PGCTL} -D /opt/local/var/db -l log start"
}
case $1 in
  start  ) StartService ;;
  stop   ) StopService ;;
esac
exec "${JAVA_HOME}/bin/java" -jar x.jar 'a b' "c $(date)" `id` <<END
here
END
"""

MANIFEST_V2 = (b'{"version":2,"roots":["/opt/x",{"base64":"L3RtcC//"}]}\n'
               b'{"path":"/opt/a","type":"file","dev":1,"ino":2,"size":3,"mode":33261,'
               b'"mtime_ns":4,"ctime_ns":5,"sha256":"' + b"ab" * 32 + b'","uses":[{"label":'
               b'"l","role":"library","via":"v","chain":["/opt/b","/opt/a"],"ack":"file:1:2:x"}]}\n'
               b'{"path":"/opt/l","type":"symlink","dev":1,"ino":3,"size":1,"mode":41471,'
               b'"mtime_ns":4,"ctime_ns":5,"link":"a","resolved":"/opt/a"}\n'
               b'{"path":"/opt/u","type":"unreadable","dev":0,"ino":0,"size":0,"mode":0,'
               b'"mtime_ns":0,"ctime_ns":0}\n')

MANIFEST_V3 = (b'{"version":3,"roots":["/opt/x",{"base64":"L3RtcC//"}],"entries":3,"dirs":2}\n'
               b'["l"]\n["v","library"]\n[0,0,1,1]\n[0,"/opt/b",1,0]\n'
               b'[0,"/opt/a",1,1,2,3,33261,4,1,"' + b"ab" * 32 + b'",[[0,5,2,2,"file:1:2:x"]]]\n'
               b'[5,"l",2,1,3,1,41471,4,1,"a","/opt/a"]\n'
               b'[5,"u",5,0,0,0,0,0,0]\n'
               b'[0,"/opt/x"]\n[6,"/d",1,9,4,0]\n')

MANIFEST_V1 = (b'{\n "version": 1,\n "roots": [],\n "files": [\n  {"path": "/a", "type": "missing",'
               b' "dev": 0, "ino": 0, "size": 0, "mode": 0, "mtime_ns": 0, "ctime_ns": 0,'
               b' "uses": [{"label": "x", "role": "program", "via": "Program"}]}\n ]\n}\n')

CONFIG = (b'{"version": 1, "settle": 2.5, "interval": 1, "timeout": 30,'
          b' "jobs": {"homebrew.mxcl.nginx": {"restart": "never", "after": ["a.b"],'
          b' "watch": ["/opt/homebrew/etc/nginx/nginx.conf"], "order": 3}}}')

PRINT = b"""gui/501/homebrew.mxcl.nginx = {
\tactive count = 1
\tpath = /Users/me/Library/LaunchAgents/homebrew.mxcl.nginx.plist
\ttype = LaunchAgent
\tstate = running

\tprogram = /opt/homebrew/opt/nginx/bin/nginx
\targuments = {
\t\t/opt/homebrew/opt/nginx/bin/nginx
\t\t-g
\t\tdaemon off;
\t}

\tstderr path = /opt/homebrew/var/log/nginx.log
\truns = 3
\tpid = 928
\tlast exit code = (never exited)
\tlast exit reason = OS_REASON_DYLD | Library missing
\tendpoints = {
\t\t"com.x" = {
\t\t\tport = 0
\t\t\tstate = active
\t\t}
\t}
}
"""

PRINT_OLD = b"""system/com.wazuh.agent = {
    active count = 0
    path = /Library/LaunchDaemons/com.wazuh.agent.plist
    state = not running
    job state = exited
    runs = 12
    successive crashes = 4
    last exit code = 1
    last terminating signal = Terminated: 15
}
"""

DOMAIN = b"""gui/501 = {
\ttype = login
\tservices = {
\t\t     928      - \thomebrew.mxcl.nginx
\t\t       0     78 \thomebrew.mxcl.redis
\t\t       0     -9 \torg.nix-community.home.ssh-agent
\t}
}
"""

DISABLED = b"""disabled services = {
\t"org.macports.redis" => disabled
\t"homebrew.mxcl.nginx" => enabled
\t"com.old" => true
}
login item associations = {
}
"""


def text_seeds(kind):
    """Seeds for the loaders of what relaunch reads: plists, sh text, the
    manifest, the config and launchctl's output (shapes of real ones)."""
    if kind == "plist":
        import plistlib
        yield PLIST
        yield MACPORTS_PLIST
        yield plistlib.dumps(plistlib.loads(PLIST), fmt=plistlib.FMT_BINARY)
        yield plistlib.dumps(plistlib.loads(MACPORTS_PLIST), fmt=plistlib.FMT_BINARY)
    elif kind == "shlex":
        yield WRAPPER
        yield b"/bin/wait4path /nix/store && exec /nix/store/abc-foo/bin/foo --flag 'x y'"
        yield b"exec erl -noshell -s rabbit boot; bash -c 'nice -n 5 env -i A=1 x \"$B\"'"
    elif kind == "manifest":
        yield MANIFEST_V3
        yield MANIFEST_V2
        yield MANIFEST_V1
    elif kind == "config":
        yield CONFIG
        yield b'{"jobs": {"a": {"after": ["b"]}, "b": {"after": ["a"]}}}'
    elif kind == "lcprint":
        yield PRINT
        yield PRINT_OLD
        yield DOMAIN
        yield DISABLED
