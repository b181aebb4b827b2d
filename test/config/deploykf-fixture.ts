/**
 * deployKF's kubeflow-pipelines-gitops example (step-3--schedule-pipelines/team-1), as its README and
 * files show it: the config folder that must pass unchanged, and the repository it reads from.
 */

export const DEPLOYKF_REPO = 'deployKF/kubeflow-pipelines-gitops';
export const DEPLOYKF_REF = 'f73d515dfa7cff8e04b6bad3551d9db8a8d589f1';
export const WORKFLOW_PATH = 'step-1--render-pipelines/example_pipeline_1/RENDERED_PIPELINE/workflow.yaml';
export const PARAM_PATH = 'step-1--render-pipelines/example_pipeline_1/RENDERED_PIPELINE/params/custom_message';
export const CUSTOM_MESSAGE = 'Hello world!\n'.repeat(10);

export const DEPLOYKF_EXPERIMENTS = `experiments:
  - name: "example-pipeline-1"
    description: "example-pipeline-1 description"
`;

export const DEPLOYKF_RECURRING_RUNS = `recurring_runs:
  - pipeline_source:
      github_owner: "deployKF"
      github_repo: "kubeflow-pipelines-gitops"
      git_reference: "${DEPLOYKF_REF}"
      file_path: "${WORKFLOW_PATH}"

    pipeline_parameters:
      - name: custom_message
        valueFrom:
          file_path: "${PARAM_PATH}"

    ## the number of old versions to keep (-1 to keep all)
    keep_history: 5

    job:
      enabled: true
      name: "example-pipeline-1"
      description: ~
      experiment: "example-pipeline-1"
      max_concurrency: 1
      service_account: ~
      trigger:
        ## WARNING: catchup=true may cause a run after every update
        catchup: false
        #start_date: ~
        #end_date: ~

        ## cron schedule: {second} {minute} {hour} {dom} {month} {dow}
        cron: "0 0 0 * * *"
        #interval_seconds: 3600
`;

/** A KFP SDK 1.8 compile of example_pipeline_1 (Argo Workflow with the pipeline_spec annotation). */
export const DEPLOYKF_WORKFLOW = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: example-pipeline-1-
  annotations:
    pipelines.kubeflow.org/kfp_sdk_version: 1.8.22
    pipelines.kubeflow.org/pipeline_compilation_time: '2023-12-18T10:00:00.000000'
    pipelines.kubeflow.org/pipeline_spec: '{"description": "An example pipeline.", "inputs": [{"name": "custom_message", "type": "String"}], "name": "example-pipeline-1"}'
  labels:
    pipelines.kubeflow.org/kfp_sdk_version: 1.8.22
spec:
  entrypoint: example-pipeline-1
  templates:
  - name: example-pipeline-1
    inputs:
      parameters:
      - {name: custom_message}
    dag:
      tasks:
      - name: example-component
        template: example-component
        arguments:
          parameters:
          - {name: custom_message, value: '{{inputs.parameters.custom_message}}'}
  - name: example-component
    container:
      args: [--message, '{{inputs.parameters.custom_message}}']
      image: python:3.10
    inputs:
      parameters:
      - {name: custom_message}
  arguments:
    parameters:
    - {name: custom_message}
  serviceAccountName: pipeline-runner
`;
