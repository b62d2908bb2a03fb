// Argo CD's notification catalog, copied by hand from notifications_catalog/install.yaml of
// argoproj/argo-cd v3.2.0 (Apache-2.0; the file is the same in v3.5.1): its triggers verbatim, its
// templates' message and slack fields (without `deliveryPolicy: Post`, the default; the email and teams
// sections are left out, since SyncWave refuses those services), plus SyncWave's own on-drift-detected
// and on-rolled-back. A stack's own configuration overrides any entry by its key. Nothing regenerates
// this file: a newer catalog is compared and copied by hand.
export const CATALOG: Readonly<Record<string, string>> = {
    "template.app-created": `message: Application {{.app.metadata.name}} has been created.
`,
    "template.app-deleted": `message: Application {{.app.metadata.name}} has been deleted.
`,
    "template.app-deployed": `message: |
  {{if eq .serviceType "slack"}}:white_check_mark:{{end}} Application {{.app.metadata.name}} is now running new version of deployments manifests.
slack:
  attachments: |
    [{
      "title": "{{ .app.metadata.name}}",
      "title_link":"{{.context.argocdUrl}}/applications/{{.app.metadata.name}}",
      "color": "#18be52",
      "fields": [
      {
        "title": "Sync Status",
        "value": "{{.app.status.sync.status}}",
        "short": true
      },
      {
        "title": {{- if .app.spec.source }} "Repository" {{- else if .app.spec.sources }} "Repositories" {{- end }},
        "value": {{- if .app.spec.source }} ":arrow_heading_up: {{ .app.spec.source.repoURL }}" {{- else if .app.spec.sources }} "{{- range $index, $source := .app.spec.sources }}{{ if $index }}\\n{{ end }}:arrow_heading_up: {{ $source.repoURL }}{{- end }}" {{- end }},
        "short": true
      },
      {
        "title": "Revision",
        "value": "{{.app.status.sync.revision}}",
        "short": true
      }
      {{range $index, $c := .app.status.conditions}}
      ,
      {
        "title": "{{$c.type}}",
        "value": "{{$c.message}}",
        "short": true
      }
      {{end}}
      ]
    }]
  groupingKey: ''
  notifyBroadcast: false
`,
    "template.app-drift-detected": `message: |
  {{if eq .serviceType "slack"}}:warning:{{end}} Application {{.app.metadata.name}} has drifted from revision {{.app.status.sync.revision}}:{{range .app.status.conditions}} {{.message}}{{end}}
`,
    "template.app-health-degraded": `message: |
  {{if eq .serviceType "slack"}}:exclamation:{{end}} Application {{.app.metadata.name}} has degraded.
  Application details: {{.context.argocdUrl}}/applications/{{.app.metadata.name}}.
slack:
  attachments: |
    [{
      "title": "{{ .app.metadata.name}}",
      "title_link": "{{.context.argocdUrl}}/applications/{{.app.metadata.name}}",
      "color": "#f4c030",
      "fields": [
      {
        "title": "Health Status",
        "value": "{{.app.status.health.status}}",
        "short": true
      },
      {
        "title": {{- if .app.spec.source }} "Repository" {{- else if .app.spec.sources }} "Repositories" {{- end }},
        "value": {{- if .app.spec.source }} ":arrow_heading_up: {{ .app.spec.source.repoURL }}" {{- else if .app.spec.sources }} "{{- range $index, $source := .app.spec.sources }}{{ if $index }}\\n{{ end }}:arrow_heading_up: {{ $source.repoURL }}{{- end }}" {{- end }},
        "short": true
      }
      {{range $index, $c := .app.status.conditions}}
      ,
      {
        "title": "{{$c.type}}",
        "value": "{{$c.message}}",
        "short": true
      }
      {{end}}
      ]
    }]
  groupingKey: ''
  notifyBroadcast: false
`,
    "template.app-rolled-back": `message: |
  {{if eq .serviceType "slack"}}:rewind:{{end}} Application {{.app.metadata.name}} was rolled back to revision {{.app.status.operationState.syncResult.revision}}.{{range .app.status.operationState.operation.info}}{{if eq .name "rollback"}} {{.value}}.{{end}}{{end}}
`,
    "template.app-sync-failed": `message: |
  {{if eq .serviceType "slack"}}:exclamation:{{end}}  The sync operation of application {{.app.metadata.name}} has failed at {{.app.status.operationState.finishedAt}} with the following error: {{.app.status.operationState.message}}
  Sync operation details are available at: {{.context.argocdUrl}}/applications/{{.app.metadata.name}}?operation=true .
slack:
  attachments: |
    [{
      "title": "{{ .app.metadata.name}}",
      "title_link":"{{.context.argocdUrl}}/applications/{{.app.metadata.name}}",
      "color": "#E96D76",
      "fields": [
      {
        "title": "Sync Status",
        "value": "{{.app.status.sync.status}}",
        "short": true
      },
      {
        "title": {{- if .app.spec.source }} "Repository" {{- else if .app.spec.sources }} "Repositories" {{- end }},
        "value": {{- if .app.spec.source }} ":arrow_heading_up: {{ .app.spec.source.repoURL }}" {{- else if .app.spec.sources }} "{{- range $index, $source := .app.spec.sources }}{{ if $index }}\\n{{ end }}:arrow_heading_up: {{ $source.repoURL }}{{- end }}" {{- end }},
        "short": true
      }
      {{range $index, $c := .app.status.conditions}}
      ,
      {
        "title": "{{$c.type}}",
        "value": "{{$c.message}}",
        "short": true
      }
      {{end}}
      ]
    }]
  groupingKey: ''
  notifyBroadcast: false
`,
    "template.app-sync-running": `message: |
  The sync operation of application {{.app.metadata.name}} has started at {{.app.status.operationState.startedAt}}.
  Sync operation details are available at: {{.context.argocdUrl}}/applications/{{.app.metadata.name}}?operation=true .
slack:
  attachments: |
    [{
      "title": "{{ .app.metadata.name}}",
      "title_link":"{{.context.argocdUrl}}/applications/{{.app.metadata.name}}",
      "color": "#0DADEA",
      "fields": [
      {
        "title": "Sync Status",
        "value": "{{.app.status.sync.status}}",
        "short": true
      },
      {
        "title": {{- if .app.spec.source }} "Repository" {{- else if .app.spec.sources }} "Repositories" {{- end }},
        "value": {{- if .app.spec.source }} ":arrow_heading_up: {{ .app.spec.source.repoURL }}" {{- else if .app.spec.sources }} "{{- range $index, $source := .app.spec.sources }}{{ if $index }}\\n{{ end }}:arrow_heading_up: {{ $source.repoURL }}{{- end }}" {{- end }},
        "short": true
      }
      {{range $index, $c := .app.status.conditions}}
      ,
      {
        "title": "{{$c.type}}",
        "value": "{{$c.message}}",
        "short": true
      }
      {{end}}
      ]
    }]
  groupingKey: ''
  notifyBroadcast: false
`,
    "template.app-sync-status-unknown": `message: |
  {{if eq .serviceType "slack"}}:exclamation:{{end}} Application {{.app.metadata.name}} sync is 'Unknown'.
  Application details: {{.context.argocdUrl}}/applications/{{.app.metadata.name}}.
  {{if ne .serviceType "slack"}}
  {{range $c := .app.status.conditions}}
      * {{$c.message}}
  {{end}}
  {{end}}
slack:
  attachments: |
    [{
      "title": "{{ .app.metadata.name}}",
      "title_link":"{{.context.argocdUrl}}/applications/{{.app.metadata.name}}",
      "color": "#E96D76",
      "fields": [
      {
        "title": "Sync Status",
        "value": "{{.app.status.sync.status}}",
        "short": true
      },
      {
        "title": {{- if .app.spec.source }} "Repository" {{- else if .app.spec.sources }} "Repositories" {{- end }},
        "value": {{- if .app.spec.source }} ":arrow_heading_up: {{ .app.spec.source.repoURL }}" {{- else if .app.spec.sources }} "{{- range $index, $source := .app.spec.sources }}{{ if $index }}\\n{{ end }}:arrow_heading_up: {{ $source.repoURL }}{{- end }}" {{- end }},
        "short": true
      }
      {{range $index, $c := .app.status.conditions}}
      ,
      {
        "title": "{{$c.type}}",
        "value": "{{$c.message}}",
        "short": true
      }
      {{end}}
      ]
    }]
  groupingKey: ''
  notifyBroadcast: false
`,
    "template.app-sync-succeeded": `message: |
  {{if eq .serviceType "slack"}}:white_check_mark:{{end}} Application {{.app.metadata.name}} has been successfully synced at {{.app.status.operationState.finishedAt}}.
  Sync operation details are available at: {{.context.argocdUrl}}/applications/{{.app.metadata.name}}?operation=true .
slack:
  attachments: |
    [{
      "title": "{{ .app.metadata.name}}",
      "title_link":"{{.context.argocdUrl}}/applications/{{.app.metadata.name}}",
      "color": "#18be52",
      "fields": [
      {
        "title": "Sync Status",
        "value": "{{.app.status.sync.status}}",
        "short": true
      },
      {
        "title": {{- if .app.spec.source }} "Repository" {{- else if .app.spec.sources }} "Repositories" {{- end }},
        "value": {{- if .app.spec.source }} ":arrow_heading_up: {{ .app.spec.source.repoURL }}" {{- else if .app.spec.sources }} "{{- range $index, $source := .app.spec.sources }}{{ if $index }}\\n{{ end }}:arrow_heading_up: {{ $source.repoURL }}{{- end }}" {{- end }},
        "short": true
      }
      {{range $index, $c := .app.status.conditions}}
      ,
      {
        "title": "{{$c.type}}",
        "value": "{{$c.message}}",
        "short": true
      }
      {{end}}
      ]
    }]
  groupingKey: ''
  notifyBroadcast: false
`,
    "trigger.on-created": `- description: Application is created.
  oncePer: app.metadata.name
  send:
  - app-created
  when: "true"
`,
    "trigger.on-deleted": `- description: Application is deleted.
  oncePer: app.metadata.name
  send:
  - app-deleted
  when: app.metadata.deletionTimestamp != nil
`,
    "trigger.on-deployed": `- description: Application is synced and healthy. Triggered once per commit.
  oncePer: app.status.operationState?.syncResult?.revision
  send:
  - app-deployed
  when: app.status.operationState != nil and app.status.operationState.phase in ['Succeeded']
    and app.status.health.status == 'Healthy' and (!time.Parse(app.status.health.lastTransitionTime).Add(1
    * time.Minute).Before(time.Parse(app.status.operationState.finishedAt)) or time.Parse(app.status.health.lastTransitionTime).Before(time.Parse(app.status.operationState.startedAt)))
`,
    "trigger.on-drift-detected": `- description: Live objects of the Application differ from what its last sync applied (SyncWave).
  send:
  - app-drift-detected
  when: app.status.sync.status == 'OutOfSync' and any(app.status.conditions ?? [], {.type == 'SyncWaveDrift'})
`,
    "trigger.on-health-degraded": `- description: Application has degraded
  oncePer: app.status.operationState?.syncResult?.revision
  send:
  - app-health-degraded
  when: app.status.health.status == 'Degraded'
`,
    "trigger.on-rolled-back": `- description: The Application was synced back to an earlier revision by a rollback (SyncWave).
  oncePer: app.status.operationState?.startedAt
  send:
  - app-rolled-back
  when: app.status.operationState != nil and app.status.operationState.phase in ['Succeeded'] and app.status.operationState.operation.info != nil and any(app.status.operationState.operation.info, {.name == 'reason' and .value in ['rollback', 'auto-rollback']})
`,
    "trigger.on-sync-failed": `- description: Application syncing has failed
  oncePer: app.status.operationState?.syncResult?.revision
  send:
  - app-sync-failed
  when: app.status.operationState != nil and app.status.operationState.phase in ['Error',
    'Failed']
`,
    "trigger.on-sync-running": `- description: Application is being synced
  oncePer: app.status.operationState?.syncResult?.revision
  send:
  - app-sync-running
  when: app.status.operationState != nil and app.status.operationState.phase in ['Running']
`,
    "trigger.on-sync-status-unknown": `- description: Application status is 'Unknown'
  oncePer: app.status.operationState?.syncResult?.revision
  send:
  - app-sync-status-unknown
  when: app.status.sync.status == 'Unknown'
`,
    "trigger.on-sync-succeeded": `- description: Application syncing has succeeded
  oncePer: app.status.operationState?.syncResult?.revision
  send:
  - app-sync-succeeded
  when: app.status.operationState != nil and app.status.operationState.phase in ['Succeeded']
`,
};
