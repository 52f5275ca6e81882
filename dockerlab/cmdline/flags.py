"""The docker CLI's commands and flags, as data (read from docker/cli 28's cobra definitions).

A flag is written ``s/long`` (a shorthand and a long name) or ``long``; a trailing ``=`` means it takes
a value. A command is ``(flags, fewest arguments, most arguments or None, interspersed)``:
``interspersed=False`` (run, create, exec) means the first argument ends the options, and the
words after the image belong to the container's command.
"""
from __future__ import annotations

# the root command's options (cli/flags/options.go); they go before the subcommand
GLOBAL = "c/context= config= D/debug H/host= l/log-level= tls tlscacert= tlscert= tlskey= tlsverify v/version"

_CONTAINER_OPTS = (
    "add-host= annotation= a/attach= blkio-weight= blkio-weight-device= cap-add= cap-drop= cgroup-parent= "
    "cgroupns= cidfile= cpu-count= cpu-percent= cpu-period= cpu-quota= cpu-rt-period= cpu-rt-runtime= "
    "c/cpu-shares= cpus= cpuset-cpus= cpuset-mems= device= device-cgroup-rule= device-read-bps= "
    "device-read-iops= device-write-bps= device-write-iops= disable-content-trust dns= dns-option= "
    "dns-search= domainname= entrypoint= e/env= env-file= expose= gpus= group-add= health-cmd= "
    "health-interval= health-retries= health-start-interval= health-start-period= health-timeout= "
    "h/hostname= init i/interactive io-maxbandwidth= io-maxiops= ip= ip6= ipc= isolation= kernel-memory= "
    "l/label= label-file= link= link-local-ip= log-driver= log-opt= mac-address= m/memory= "
    "memory-reservation= memory-swap= memory-swappiness= mount= name= network= net= network-alias= "
    "net-alias= no-healthcheck oom-kill-disable oom-score-adj= pid= pids-limit= platform= privileged "
    "p/publish= P/publish-all pull= q/quiet read-only restart= rm runtime= security-opt= shm-size= "
    "stop-signal= stop-timeout= storage-opt= sysctl= tmpfs= t/tty ulimit= use-api-socket u/user= userns= "
    "uts= v/volume= volume-driver= volumes-from= w/workdir="
)
_PS = "a/all f/filter= format= n/last= l/latest no-trunc q/quiet s/size"
_IMAGES = "a/all digests f/filter= format= no-trunc q/quiet tree"
_BUILD = ("add-host= allow= annotation= attest= build-arg= build-context= builder= cache-from= cache-to= "
          "call= cgroup-parent= check debug f/file= force-rm iidfile= isolation= label= load metadata-file= "
          "network= no-cache no-cache-filter= o/output= platform= progress= provenance= pull push q/quiet rm "
          "sbom= secret= shm-size= ssh= t/tag= target= ulimit= D")

#: canonical path -> (flags, fewest args, most args, interspersed)
COMMANDS: dict[tuple[str, ...], tuple[str, int, int | None, bool]] = {
    ("container", "run"): (_CONTAINER_OPTS + " d/detach detach-keys= sig-proxy", 1, None, False),
    ("container", "create"): (_CONTAINER_OPTS, 1, None, False),
    ("container", "start"): ("a/attach checkpoint= checkpoint-dir= detach-keys= i/interactive", 1, None, True),
    ("container", "stop"): ("s/signal= t/time= timeout=", 1, None, True),
    ("container", "restart"): ("s/signal= t/time= timeout=", 1, None, True),
    ("container", "kill"): ("s/signal=", 1, None, True),
    ("container", "rm"): ("f/force l/link v/volumes", 1, None, True),
    ("container", "ls"): (_PS, 0, 0, True),
    ("container", "prune"): ("filter= f/force", 0, 0, True),
    ("container", "exec"): ("d/detach detach-keys= e/env= env-file= i/interactive privileged t/tty u/user= "
                            "w/workdir=", 2, None, False),
    ("container", "logs"): ("details f/follow since= n/tail= t/timestamps until=", 1, 1, True),
    ("container", "stats"): ("a/all format= no-stream no-trunc", 0, None, True),
    ("container", "inspect"): ("f/format= s/size", 1, None, True),
    ("container", "pause"): ("", 1, None, True),
    ("container", "unpause"): ("", 1, None, True),
    ("container", "attach"): ("detach-keys= no-stdin sig-proxy", 1, 1, True),
    ("container", "port"): ("", 1, 2, True),
    ("container", "top"): ("", 1, None, False),
    ("container", "wait"): ("", 1, None, True),
    ("container", "rename"): ("", 2, 2, True),
    ("container", "cp"): ("a/archive L/follow-link q/quiet", 2, 2, True),
    ("container", "commit"): ("a/author= c/change= m/message= p/pause", 1, 2, True),
    ("container", "diff"): ("", 1, 1, True),
    ("container", "update"): ("blkio-weight= cpu-period= cpu-quota= cpu-rt-period= cpu-rt-runtime= "
                              "c/cpu-shares= cpus= cpuset-cpus= cpuset-mems= m/memory= memory-reservation= "
                              "memory-swap= pids-limit= restart=", 1, None, True),
    ("image", "ls"): (_IMAGES, 0, 1, True),
    ("image", "rm"): ("f/force no-prune platform=", 1, None, True),
    ("image", "prune"): ("a/all filter= f/force", 0, 0, True),
    ("image", "pull"): ("a/all-tags disable-content-trust platform= q/quiet", 1, 1, True),
    ("image", "push"): ("a/all-tags disable-content-trust platform= q/quiet", 1, 1, True),
    ("image", "tag"): ("", 2, 2, True),
    ("image", "build"): (_BUILD, 1, 1, True),
    ("image", "history"): ("format= H/human no-trunc platform= q/quiet", 1, 1, True),
    ("image", "inspect"): ("f/format= platform=", 1, None, True),
    ("image", "save"): ("o/output= platform=", 1, None, True),
    ("image", "load"): ("i/input= platform= q/quiet", 0, 0, True),
    ("volume", "create"): ("d/driver= label= o/opt= name=", 0, 1, True),
    ("volume", "ls"): ("cluster f/filter= format= q/quiet", 0, 0, True),
    ("volume", "rm"): ("f/force", 1, None, True),
    ("volume", "inspect"): ("f/format=", 1, None, True),
    ("volume", "prune"): ("a/all filter= f/force", 0, 0, True),
    ("network", "ls"): ("f/filter= format= no-trunc q/quiet", 0, 0, True),
    ("network", "create"): ("attachable aux-address= config-from= config-only d/driver= gateway= ingress "
                            "internal ip-range= ipam-driver= ipam-opt= ipv4 ipv6 label= o/opt= scope= subnet=",
                            1, 1, True),
    ("network", "rm"): ("f/force", 1, None, True),
    ("network", "inspect"): ("f/format= v/verbose", 1, None, True),
    ("network", "prune"): ("filter= f/force", 0, 0, True),
    ("network", "connect"): ("alias= driver-opt= gw-priority= ip= ip6= link= link-local-ip=", 2, 2, True),
    ("network", "disconnect"): ("f/force", 2, 2, True),
    ("system", "prune"): ("a/all filter= f/force volumes", 0, 0, True),
    ("system", "df"): ("format= v/verbose", 0, 0, True),
    ("system", "info"): ("f/format=", 0, 0, True),
    ("system", "events"): ("f/filter= format= since= until=", 0, 0, True),
    ("builder", "prune"): ("a/all filter= f/force keep-storage= max-used-space= min-free-space= "
                           "reserved-space=", 0, 0, True),
    ("", "inspect"): ("f/format= s/size type=", 1, None, True),
    ("", "version"): ("f/format=", 0, 0, True),
    ("", "login"): ("p/password= password-stdin u/username=", 0, 1, True),
    ("", "logout"): ("", 0, 1, True),
    ("", "search"): ("f/filter= format= limit= no-trunc", 1, 1, True),
}

#: management command -> {alias: canonical subcommand}
ALIASES = {
    "container": {"ls": "ls", "list": "ls", "ps": "ls", "rm": "rm", "remove": "rm"},
    "image": {"ls": "ls", "list": "ls", "rm": "rm", "remove": "rm"},
    "volume": {"ls": "ls", "list": "ls", "rm": "rm", "remove": "rm"},
    "network": {"ls": "ls", "list": "ls", "rm": "rm", "remove": "rm"},
    "system": {}, "builder": {},
}

#: the top-level shortcuts (`docker ps` is `docker container ls`, `docker rmi` is `docker image rm`)
SHORTCUTS = {
    "ps": ("container", "ls"), "rmi": ("image", "rm"), "images": ("image", "ls"), "info": ("system", "info"),
    "events": ("system", "events"), "inspect": ("", "inspect"), "version": ("", "version"),
    "login": ("", "login"), "logout": ("", "logout"), "search": ("", "search"),
    "builder": None,
}
for _sub in ("run", "create", "start", "stop", "restart", "kill", "rm", "exec", "logs", "stats", "pause",
             "unpause", "attach", "port", "top", "wait", "rename", "cp", "commit", "diff", "update"):
    SHORTCUTS[_sub] = ("container", _sub)
for _sub in ("pull", "push", "tag", "build", "history", "save", "load"):
    SHORTCUTS[_sub] = ("image", _sub)
SHORTCUTS.pop("builder")

#: sudo's own options (sudo(8)); a trailing = takes a value
SUDO = ("A/askpass b/background C/close-from= D/chdir= E/preserve-env e/edit g/group= H/set-home h/host= "
        "i/login K/remove-timestamp k/reset-timestamp l/list n/non-interactive P/preserve-groups p/prompt= "
        "R/chroot= r/role= S/stdin s/shell T/command-timeout= t/type= U/other-user= u/user= V/version v/validate")

#: xargs's options (GNU findutils)
XARGS = ("0/null a/arg-file= d/delimiter= E= e/eof= I= i/replace= L= l/max-lines= n/max-args= o/open-tty "
         "P/max-procs= p/interactive process-slot-var= r/no-run-if-empty s/max-chars= show-limits t/verbose "
         "x/exit")


def table(spec: str) -> tuple[dict[str, bool], dict[str, str]]:
    """``"a/all f/filter="`` -> ({"all": False, "filter": True}, {"a": "all", "f": "filter"}):
    long name -> takes a value, shorthand -> long name (a shorthand-only flag is its own long name)."""
    longs: dict[str, bool] = {}
    shorts: dict[str, str] = {}
    for item in spec.split():
        value = item.endswith("=")
        item = item.rstrip("=")
        short, _, long = item.rpartition("/") if "/" in item else ("", "", item)
        if len(long) == 1 and not short:
            short = long
        longs[long] = value
        if short:
            shorts[short] = long
    return longs, shorts
