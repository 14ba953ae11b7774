/**
 * The deployment examples (deploy/compose.yaml, deploy/kubernetes/) are checked without a
 * Docker engine or a cluster: they parse, every setting they give the proxy exists (the
 * list `--help` prints), and the pieces fit: probes on the proxy's routes and port,
 * selectors that match, a grace period that covers the drain.
 */
import { describe, expect, it } from "@effect/vitest"
import { DurationText } from "@filebatch/core"
import { Duration, Either } from "effect"
import { Deployment } from "kubernetes-models/apps/v1/Deployment"
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget"
import { Service } from "kubernetes-models/v1/Service"
import { existsSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { parse, parseAllDocuments } from "yaml"
import { all as settings } from "../src/config/settings.js"

const at = (path: string) => fileURLToPath(new URL(path, import.meta.url))
const packageJson = JSON.parse(readFileSync(at("../package.json"), "utf8")) as { version: string }
const known = new Set(settings.map(({ name }) => name))
const seconds = (text: string) => Duration.toSeconds(Either.getOrThrow(DurationText.parseFor("setting", text)))

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- YAML documents, checked by the tests below
const kubernetesDocuments = (): Array<any> =>
  parseAllDocuments(readFileSync(at("../deploy/kubernetes/proxy.yaml"), "utf8")).map((doc) => {
    expect(doc.errors).toEqual([])
    return doc.toJS()
  })

interface PodSpec {
  readonly hostNetwork?: boolean
  readonly hostPID?: boolean
  readonly hostIPC?: boolean
  readonly securityContext?: {
    runAsNonRoot?: boolean
    runAsUser?: number
    seccompProfile?: { type: string }
  }
  readonly volumes?: ReadonlyArray<Record<string, unknown>>
  readonly containers: ReadonlyArray<{
    readonly name: string
    readonly securityContext?: {
      privileged?: boolean
      allowPrivilegeEscalation?: boolean
      runAsNonRoot?: boolean
      runAsUser?: number
      seccompProfile?: { type: string }
      capabilities?: { drop?: ReadonlyArray<string>; add?: ReadonlyArray<string> }
    }
  }>
}

/** The checks of the "restricted" Pod Security Standard (Kubernetes' pod-security admission, v1.30). */
const restrictedViolations = (pod: PodSpec): Array<string> => {
  const found: Array<string> = []
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) found.push("host namespaces must not be shared")
  const allowedVolumes = [
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret"
  ]
  for (const volume of pod.volumes ?? []) {
    const kinds = Object.keys(volume).filter((key) => key !== "name")
    if (!kinds.every((kind) => allowedVolumes.includes(kind))) found.push(`volume ${String(volume["name"])}: ${kinds}`)
  }
  for (const container of pod.containers) {
    const context = container.securityContext ?? {}
    const at = (rule: string) => found.push(`${container.name}: ${rule}`)
    if (context.privileged) at("must not be privileged")
    if (context.allowPrivilegeEscalation !== false) at("allowPrivilegeEscalation must be false")
    if ((context.runAsNonRoot ?? pod.securityContext?.runAsNonRoot) !== true) at("runAsNonRoot must be true")
    if ((context.runAsUser ?? pod.securityContext?.runAsUser) === 0) at("runAsUser must not be 0")
    const seccomp = (context.seccompProfile ?? pod.securityContext?.seccompProfile)?.type
    if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") {
      at("seccompProfile must be RuntimeDefault or Localhost")
    }
    if (!(context.capabilities?.drop ?? []).includes("ALL")) at("capabilities must drop ALL")
    if ((context.capabilities?.add ?? []).some((capability) => capability !== "NET_BIND_SERVICE")) {
      at("capabilities may add only NET_BIND_SERVICE")
    }
  }
  return found
}

describe("deployment examples", () => {
  it("compose: two replicas sharing Redis behind a load balancer, with settings the proxy reads", () => {
    const compose = parse(readFileSync(at("../deploy/compose.yaml"), "utf8"))
    const { lb, proxy, redis } = compose.services
    expect(proxy.deploy.replicas).toBe(2)
    expect(proxy.image).toBe(`ghcr.io/filebatch/filebatch-proxy:${packageJson.version}`)
    for (const name of Object.keys(proxy.environment)) expect(known, name).toContain(name)
    expect(proxy.environment.FILEBATCH_PROXY_REDIS_URL).toBe("redis://redis:6379/0")
    expect(redis.image).toMatch(/^redis:/)
    expect(compose.configs.nginx.content).toMatch(/server proxy:8080/)
    expect(lb.configs[0].source).toBe("nginx")
    expect(existsSync(at(`../deploy/${compose.secrets.keys.file}`))).toBe(true)
    const grace = seconds(proxy.stop_grace_period)
    expect(grace).toBeGreaterThan(seconds(proxy.environment.FILEBATCH_PROXY_DRAIN_DELAY) + 10)
  })

  it("Kubernetes: readiness on /readyz, a grace period over the drain, a PDB and a Service that select the pods", () => {
    const documents = kubernetesDocuments()
    const byKind = Object.fromEntries(documents.map((doc) => [doc.kind, doc]))
    expect(Object.keys(byKind).sort()).toEqual(["Deployment", "PodDisruptionBudget", "Service"])
    const deployment = byKind["Deployment"]
    const labels = deployment.spec.template.metadata.labels
    expect(deployment.spec.selector.matchLabels).toEqual(labels)
    expect(byKind["Service"].spec.selector).toEqual(labels)
    expect(byKind["PodDisruptionBudget"].spec.selector.matchLabels).toEqual(labels)
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2)
    const [container] = deployment.spec.template.spec.containers
    const env = Object.fromEntries(
      container.env.map((entry: { name: string; value?: string }) => [entry.name, entry.value])
    )
    for (const name of Object.keys(env)) expect(known, name).toContain(name)
    expect(Object.keys(env)).toContain("FILEBATCH_PROXY_REDIS_URL")
    expect(container.readinessProbe.httpGet.path).toBe("/readyz")
    expect(container.livenessProbe.httpGet.path).toBe("/healthz")
    expect(container.ports[0].containerPort).toBe(8080)
    const drain = seconds(env["FILEBATCH_PROXY_DRAIN_DELAY"]) + seconds(env["FILEBATCH_PROXY_SHUTDOWN_GRACE"])
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(drain)
    // The readiness probe notices the drain well within the drain delay.
    const probe = container.readinessProbe
    expect(probe.periodSeconds * probe.failureThreshold).toBeLessThan(seconds(env["FILEBATCH_PROXY_DRAIN_DELAY"]))
    expect(container.image).toBe(`ghcr.io/filebatch/filebatch-proxy:${packageJson.version}`)
  })

  it("Kubernetes: every object valid against Kubernetes' own schemas", () => {
    const models: Record<string, new(data: object) => { validate: () => void }> = {
      Deployment,
      Service,
      PodDisruptionBudget
    }
    for (const document of kubernetesDocuments()) {
      const Model = models[document.kind]!
      expect(() => new Model(document).validate(), document.kind).not.toThrow()
    }
    // The validator can fail: a misspelt field is refused.
    const deployment = kubernetesDocuments().find((document) => document.kind === "Deployment")!
    const broken = structuredClone(deployment)
    broken.spec.replicas = "two"
    expect(() => new Deployment(broken).validate()).toThrow()
  })

  it("Kubernetes: the pod passes the restricted Pod Security Standard, with a read-only root", () => {
    const deployment = kubernetesDocuments().find((document) => document.kind === "Deployment")!
    const pod = deployment.spec.template.spec
    expect(restrictedViolations(pod)).toEqual([])
    for (const container of pod.containers) expect(container.securityContext.readOnlyRootFilesystem).toBe(true)
    // The check can fail: privilege escalation allowed is a violation.
    const loose = structuredClone(pod)
    loose.containers[0].securityContext.allowPrivilegeEscalation = true
    expect(restrictedViolations(loose)).toEqual(["proxy: allowPrivilegeEscalation must be false"])
  })
})
