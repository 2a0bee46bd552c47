"""Network faults between the SDK and the server (a real TCP proxy): exactly-once still holds."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import LiveServer
from tests.fault.harness import Trainer, read_stored
from tests.fault.tcp_proxy import FAULTS, FaultPlan, TcpProxy

pytestmark = [pytest.mark.fault, pytest.mark.slow]

EACH_FAULT_AT_LEAST = 2


def test_refused_reset_delayed_truncated_and_dropped_connections(live_server: LiveServer, tmp_path: Path) -> None:
    faults = [fault for fault in FAULTS if fault != "pass"]
    plan = FaultPlan(weights=dict.fromkeys(faults, 0.06), delay_s=0.4, seed=7, connection_lifetime_s=0.2)
    proxy = TcpProxy(live_server.port, plan)
    stop = tmp_path / "stop"
    trainer = Trainer.start(
        tmp_path / "train", proxy.url, "--steps", "1000000", "--rate", "500", "--stop-file", str(stop),
        "--finish-timeout", "120", "--poll-interval", "0.1",
    )  # fmt: skip
    try:
        trainer.wait_for(
            lambda: all(proxy.faults_injected[f] >= EACH_FAULT_AT_LEAST for f in faults) or None,
            f"every fault {EACH_FAULT_AT_LEAST} times ({proxy.faults_injected})",
        )
        stop.touch()
        trainer.wait_exit()
    finally:
        trainer.kill()
        proxy.close()
    returned = trainer.returned_steps()
    stored = read_stored(live_server.url, trainer.run_id)
    stored.check_exactly(
        range(len(returned)),
        f"proxy faults {proxy.faults_injected}, {proxy.connections_cut} connections cut",
    )
    assert stored.state == "finished"
