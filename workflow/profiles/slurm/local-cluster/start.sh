#!/usr/bin/env bash
# A real single-node Slurm cluster on this host, for CI and tests/test_slurm.py (Debian packages
# slurm-wlm and munge; `make slurm` installs them and runs this script). Must run as root.
#
# Writes /etc/slurm/slurm.conf for this host (hostname, CPUs, memory from `slurmd -C`; accounting off),
# creates the munge key if absent, starts munged, slurmctld and slurmd, and waits until `sinfo` shows
# the node idle. Idempotent: when the node already answers, it does nothing. A slurm.conf that this
# script did not write is left alone (a real cluster's configuration is never overwritten).
#
#   workflow/profiles/slurm/local-cluster/start.sh          # start (or find running)
#   SLURM_WAIT_S=120 workflow/profiles/slurm/local-cluster/start.sh
set -euo pipefail

CONF=/etc/slurm/slurm.conf
MARK="# written by spreadwatch workflow/profiles/slurm/local-cluster/start.sh"
PARTITION=${SLURM_PARTITION:-main}
WAIT_S=${SLURM_WAIT_S:-60}
HOST=$(hostname -s)

say() { echo "slurm-local: $*"; }

node_state() { sinfo -h -N -n "$HOST" -o %T 2>/dev/null | head -n 1 || true; }

if [ "$(id -u)" -ne 0 ]; then
    say "must run as root (it writes /etc/slurm and starts daemons)" >&2
    exit 1
fi
for tool in munged slurmctld slurmd sinfo; do
    command -v "$tool" >/dev/null || { say "$tool not found: apt-get install -y slurm-wlm munge" >&2; exit 1; }
done

case "$(node_state)" in
    idle*|mixed*|allocated*|completing*)
        say "already running: node $HOST is $(node_state)"
        exit 0 ;;
esac

# --- configuration (only when absent or ours) --------------------------------------------------------
if [ -f "$CONF" ] && ! grep -qF "$MARK" "$CONF"; then
    say "$CONF exists and was not written by this script: using it as it is"
else
    # "NodeName=vm CPUs=2 Boards=1 SocketsPerBoard=2 CoresPerSocket=1 ThreadsPerCore=1 RealMemory=24105"
    NODE_LINE=$(slurmd -C | head -n 1)
    NODE_LINE=${NODE_LINE/NodeName=* CPUs=/NodeName=$HOST CPUs=}
    mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/slurm
    cat > "$CONF.tmp" <<CONF
$MARK
ClusterName=spreadwatch-local
SlurmctldHost=$HOST
AuthType=auth/munge
# no accounting daemon: snakemake's Slurm plugin then checks job status with squeue
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
SlurmUser=root
SlurmdUser=root
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurm/slurmctld.pid
SlurmdPidFile=/run/slurm/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
SlurmctldTimeout=30
SlurmdTimeout=60
InactiveLimit=0
KillWait=10
MinJobAge=300
$NODE_LINE State=UNKNOWN
PartitionName=$PARTITION Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF
    mv "$CONF.tmp" "$CONF"
    say "wrote $CONF ($NODE_LINE)"
fi

# --- munge ---------------------------------------------------------------------------------------------
if [ ! -s /etc/munge/munge.key ]; then
    mkdir -p /etc/munge
    if command -v mungekey >/dev/null; then mungekey --create --keyfile=/etc/munge/munge.key --force
    else dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none; fi
    say "created /etc/munge/munge.key"
fi
chown munge:munge /etc/munge/munge.key 2>/dev/null || true
chmod 400 /etc/munge/munge.key
mkdir -p /run/munge /var/lib/munge /var/log/munge
chown munge:munge /run/munge /var/lib/munge /var/log/munge 2>/dev/null || true
if ! munge -n >/dev/null 2>&1; then
    runuser -u munge -- /usr/sbin/munged 2>/dev/null || /usr/sbin/munged --force
    say "started munged"
fi

# --- daemons -------------------------------------------------------------------------------------------
running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
if ! running /run/slurm/slurmctld.pid; then
    slurmctld
    say "started slurmctld"
fi
if ! running /run/slurm/slurmd.pid; then
    slurmd
    say "started slurmd"
fi

# --- wait for the node -----------------------------------------------------------------------------------
for _ in $(seq "$WAIT_S"); do
    state=$(node_state)
    case "$state" in
        idle*|mixed*|allocated*)
            say "node $HOST is $state (partition $PARTITION)"
            exit 0 ;;
        down*|drain*)
            scontrol update NodeName="$HOST" State=RESUME >/dev/null 2>&1 || true ;;
    esac
    sleep 1
done
say "node $HOST did not become idle within ${WAIT_S}s (state: $(node_state)); see /var/log/slurm/" >&2
exit 1
