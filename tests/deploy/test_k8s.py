"""deploy/k8s, validated offline: every object parses, built-in kinds pass kubernetes-validate's schemas
(strict: no unknown fields), KEDA objects have their required fields, and the pieces fit together
(probes on the port that serves /healthz, PDBs and scalers that select a real Deployment, KEDA streams
and groups that the pipeline really has)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from services.runtime.settings import Settings
from services.runtime.topology import CONSUMER_GROUPS
from tests.conftest import ROOT

K8S = ROOT / "deploy" / "k8s"
KUBERNETES_VERSION = "1.30.0"
KEDA_KINDS = {"ScaledObject", "ScaledJob", "TriggerAuthentication", "ClusterTriggerAuthentication"}
WORKERS = {"ingest": 9101, "extractor": 9102, "store": 9103, "incidents": 9104}


def documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]


def manifests(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.yaml") if p.name != "kustomization.yaml")


def objects(kustomization_dir: Path) -> list[dict[str, Any]]:
    """The objects a kustomization lists, following directory resources (other kustomizations)."""
    kustomization = documents(kustomization_dir / "kustomization.yaml")[0]
    out: list[dict[str, Any]] = []
    for resource in kustomization.get("resources", []):
        target = kustomization_dir / resource
        out += objects(target) if target.is_dir() else documents(target)
    return out


BASE = objects(K8S / "base")


def by_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in BASE if o["kind"] == kind}


@pytest.mark.parametrize("path", manifests(K8S), ids=lambda p: str(p.relative_to(K8S)))
def test_every_object_parses_and_validates(path: Path) -> None:
    docs = documents(path)
    assert docs, f"{path} holds no object"
    for doc in docs:
        assert {"apiVersion", "kind", "metadata"} <= set(doc) and doc["metadata"].get("name")
        if doc["kind"] in KEDA_KINDS:
            check_keda(doc)
        elif path.parent.name == "base" or "spec" in doc or "data" in doc or doc["kind"] == "Namespace":
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def check_keda(doc: dict[str, Any]) -> None:
    """The required fields of KEDA's CRDs (keda.sh/v1alpha1), which kubernetes-validate does not know."""
    assert doc["apiVersion"] == "keda.sh/v1alpha1"
    spec = doc["spec"]
    if doc["kind"] == "TriggerAuthentication":
        refs = spec["secretTargetRef"]
        assert refs and all({"parameter", "name", "key"} <= set(r) for r in refs)
        return
    if "scaleTargetRef" not in spec:  # an overlay's patch of an object the base declares
        return
    assert spec["scaleTargetRef"]["name"]
    assert isinstance(spec["triggers"], list) and spec["triggers"]
    for trigger in spec["triggers"]:
        assert trigger["type"] and isinstance(trigger["metadata"], dict)
        assert all(isinstance(v, str) for v in trigger["metadata"].values()), (
            "KEDA metadata values are strings"
        )
        if trigger["type"] == "redis-streams":
            meta = trigger["metadata"]
            assert meta.get("stream") and ({"address", "host", "addressFromEnv", "hostFromEnv"} & set(meta))
            if {"lagCount", "pendingEntriesCount"} & set(meta):
                assert meta.get("consumerGroup"), "lag and pending are per consumer group"


def test_kustomizations_list_only_files_that_exist() -> None:
    for kustomization in K8S.rglob("kustomization.yaml"):
        spec = documents(kustomization)[0]
        assert spec["kind"] == "Kustomization"
        listed = list(spec.get("resources", []))
        listed += [p["path"] for p in spec.get("patches", []) if "path" in p]
        listed += [f for g in spec.get("secretGenerator", []) + spec.get("configMapGenerator", [])
                   for f in g.get("envs", []) + g.get("files", [])]  # fmt: skip
        for name in listed:
            assert (kustomization.parent / name).exists(), f"{kustomization}: {name} does not exist"
    base_files = {p.name for p in (K8S / "base").glob("*.yaml")} - {"kustomization.yaml"}
    assert base_files == set(documents(K8S / "base" / "kustomization.yaml")[0]["resources"])


def container(deployment: dict[str, Any]) -> dict[str, Any]:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return dict(containers[0])


def test_one_deployment_per_worker_and_the_api_with_probes_resources_and_settings() -> None:
    deployments = by_kind("Deployment")
    assert set(deployments) == {f"newswire-{w}" for w in [*WORKERS, "api"]}
    commands = {name: container(d)["command"] for name, d in deployments.items()}
    for worker in WORKERS:
        assert commands[f"newswire-{worker}"] == ["newswire", "worker", worker]
    assert commands["newswire-api"][:2] == ["newswire", "serve"]
    for name, deployment in deployments.items():
        c = container(deployment)
        ports = {p["name"]: p["containerPort"] for p in c["ports"]}
        env = {e["name"]: e.get("value") for e in c["env"]}
        for probe in ("readinessProbe", "livenessProbe"):
            get = c[probe]["httpGet"]
            assert get["path"] == "/healthz" and get["port"] in ports
        served_on = int(env.get("NEWSWIRE_METRICS_PORT") or env["NEWSWIRE_API_PORT"])
        assert served_on in ports.values()
        worker = name.removeprefix("newswire-")
        if worker in WORKERS:
            assert served_on == WORKERS[worker] == Settings().metrics_port_for(worker)
            assert "NEWSWIRE_CONSUMER" in env, "each replica needs its own consumer name"
        else:
            assert served_on == Settings().api_port
        resources = c["resources"]
        assert {"cpu", "memory"} <= set(resources["requests"]) and "memory" in resources["limits"]
        sources = {next(iter(s)): s[next(iter(s))]["name"] for s in c["envFrom"]}
        assert sources == {"configMapRef": "newswire-settings", "secretRef": "newswire-secrets"}
        grace = deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
        assert grace > 2 * Settings().shutdown_timeout_s


def test_every_deployment_has_a_disruption_budget_selecting_its_pods() -> None:
    budgets = by_kind("PodDisruptionBudget")
    for name, deployment in by_kind("Deployment").items():
        pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert deployment["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
        selecting = [
            b for b in budgets.values() if b["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
        ]
        assert len(selecting) == 1, f"{name}: {len(selecting)} PodDisruptionBudgets"


def test_settings_and_secrets_are_real_newswire_settings() -> None:
    known = {f"NEWSWIRE_{f.upper()}" for f in Settings.model_fields} | {"NEWSWIRE_LOG_LEVEL"}
    keda_only = {"REDIS_ADDRESS", "REDIS_PASSWORD"}
    config = by_kind("ConfigMap")["newswire-settings"]["data"]
    secret = by_kind("Secret")["newswire-secrets"]["stringData"]
    assert set(config) | set(secret) <= known | keda_only
    assert {"NEWSWIRE_REDIS_URL", "NEWSWIRE_DATABASE_URL"} <= set(secret)
    Settings.model_validate({k.removeprefix("NEWSWIRE_").lower(): v for k, v in {**config, **secret}.items()
                             if k.startswith("NEWSWIRE_") and k != "NEWSWIRE_LOG_LEVEL"})  # fmt: skip


def test_init_job_creates_the_groups() -> None:
    job = by_kind("Job")["newswire-init-groups"]
    c = job["spec"]["template"]["spec"]["containers"][0]
    assert c["command"] == ["newswire", "init-groups"]
    assert {next(iter(s)) for s in c["envFrom"]} == {"configMapRef", "secretRef"}


def test_keda_scales_extractor_and_store_on_every_stream_they_read_by_lag_and_pending() -> None:
    scaled = by_kind("ScaledObject")
    deployments = by_kind("Deployment")
    prefix = by_kind("ConfigMap")["newswire-settings"]["data"]["NEWSWIRE_STREAM_PREFIX"]
    assert set(scaled) == {"newswire-extractor", "newswire-store"}, "ingest keeps its replica: not scaled"
    auth = by_kind("TriggerAuthentication")
    for name, obj in scaled.items():
        group = name.removeprefix("newswire-")
        assert obj["spec"]["scaleTargetRef"]["name"] in deployments
        assert "replicas" not in deployments[obj["spec"]["scaleTargetRef"]["name"]]["spec"]
        expected = {(prefix + stream, group) for stream, groups in CONSUMER_GROUPS.items() if group in groups}
        modes: dict[tuple[str, str], set[str]] = {}
        for trigger in obj["spec"]["triggers"]:
            assert trigger["type"] == "redis-streams" and trigger["authenticationRef"]["name"] in auth
            meta = trigger["metadata"]
            key = (meta["stream"], meta["consumerGroup"])
            modes.setdefault(key, set()).update({"lagCount", "pendingEntriesCount"} & set(meta))
            assert meta["addressFromEnv"] in by_kind("ConfigMap")["newswire-settings"]["data"]
        assert set(modes) == expected
        assert all(m == {"lagCount", "pendingEntriesCount"} for m in modes.values())
        assert obj["spec"]["minReplicaCount"] == 0 < obj["spec"]["maxReplicaCount"]
    assert deployments["newswire-ingest"]["spec"]["replicas"] >= 1


def test_example_overlay_builds_on_the_base() -> None:
    overlay = objects(K8S / "overlays" / "example")
    names = {(o["kind"], o["metadata"]["name"]) for o in overlay}
    assert {(o["kind"], o["metadata"]["name"]) for o in BASE} <= names
    assert ("Namespace", "newswire") in names
    env = dict(
        line.split("=", 1) for line in (K8S / "overlays" / "example" / "secrets.env").read_text().splitlines()
        if line and not line.startswith("#")
    )  # fmt: skip
    assert set(env) == set(by_kind("Secret")["newswire-secrets"]["stringData"])
