// Skyferry on Azure App Service (Linux, custom container): one always-on worker per instance with
// the user-assigned identity from main.bicep. App Service has no ConfigMap, so the configuration is
// the image's base file (/etc/skyferry/skyferry.yaml) plus the SKYFERRY_* app settings below: the
// app's environment overrides, named as in docs/configuration.md. App Service injects
// IDENTITY_ENDPOINT and IDENTITY_HEADER itself; AZURE_CLIENT_ID picks the user-assigned identity.
//
//   az deployment group create -g <rg> -f deploy/azure/appservice.bicep -p @appservice.parameters.json

@description('Azure region.')
param location string = resourceGroup().location

@description('Name of the web app (and prefix of the plan).')
param appName string = 'skyferry'

@description('App Service plan SKU; a worker needs Always On, so not Free/Shared.')
param planSku string = 'P0v3'

@description('Instances; each is one worker.')
@minValue(1)
param instanceCount int = 1

@description('Image, e.g. contosoacr.azurecr.io/skyferry:0.1.0.')
param image string

@description('True when the image is in Azure Container Registry: pulled with the identity (needs AcrPull on the registry).')
param pullWithIdentity bool = true

@description('Resource id of the worker identity (main.bicep output identityId).')
param identityId string

@description('Client id of the worker identity (main.bicep output identityClientId).')
param identityClientId string

@description('Storage account of the blobs and the event queue (config azure.accounts[0].name).')
param storageAccountName string

@description('Event queue (config sources[0].queue); its poison queue is <queue>-poison.')
param queueName string = 'skyferry-events'

@description('Replicated container (config rules[0].azure.container).')
param container string

@description('Prefix inside the container; empty for all.')
param containerPrefix string = ''

@description('AWS region of the bucket and queue.')
param awsRegion string

@description('IAM role the worker assumes (CloudFormation output RoleArn).')
param awsRoleArn string

@description('Audience of the Entra tokens AWS trusts (main.bicep output audience).')
param awsFederationAudience string = 'api://skyferry-aws-federation'

@description('SQS queue receiving the bucket\'s notifications (CloudFormation output QueueUrl).')
param sqsQueueUrl string

@description('Its dead-letter queue (CloudFormation output DeadLetterQueueUrl).')
param sqsDeadLetterQueueUrl string

@description('Target bucket (config rules[0].s3.bucket).')
param bucket string

@description('Prefix inside the bucket; empty for all.')
param bucketPrefix string = ''

@allowed(['both', 'azure-to-s3', 's3-to-azure'])
param direction string = 'both'

@allowed(['ignore', 'propagate', 'tombstone'])
param deletes string = 'ignore'

@description('False (default): deny all inbound requests except the platform\'s own health checks; /metrics is not for the internet. Scrape it over a private endpoint or VNet instead.')
param allowPublicAccess bool = false

param tags object = {
  app: 'skyferry'
}

// Port the app serves /healthz, /readyz, /metrics on (config worker.http.port).
var httpPort = '8080'

// Every SKYFERRY_* name is a config path (docs/configuration.md); empty values are dropped so the
// app's defaults apply (an empty string would be a value).
var appSettings = filter([
  { name: 'WEBSITES_PORT', value: httpPort }
  { name: 'WEBSITES_ENABLE_APP_SERVICE_STORAGE', value: 'false' }
  { name: 'AZURE_CLIENT_ID', value: identityClientId }
  { name: 'SKYFERRY_AZURE_AUTH_MODE', value: 'managed-identity' }
  { name: 'SKYFERRY_AZURE_ACCOUNTS_0_NAME', value: storageAccountName }
  { name: 'SKYFERRY_AWS_REGION', value: awsRegion }
  { name: 'SKYFERRY_AWS_AUTH_MODE', value: 'azure-federated' }
  { name: 'SKYFERRY_AWS_AUTH_ROLE_ARN', value: awsRoleArn }
  { name: 'SKYFERRY_AWS_AUTH_AUDIENCE', value: awsFederationAudience }
  { name: 'SKYFERRY_SOURCES_0_NAME', value: 'azure-events' }
  { name: 'SKYFERRY_SOURCES_0_TYPE', value: 'azure-queue' }
  { name: 'SKYFERRY_SOURCES_0_ACCOUNT', value: storageAccountName }
  { name: 'SKYFERRY_SOURCES_0_QUEUE', value: queueName }
  { name: 'SKYFERRY_SOURCES_1_NAME', value: 's3-events' }
  { name: 'SKYFERRY_SOURCES_1_TYPE', value: 'sqs' }
  { name: 'SKYFERRY_SOURCES_1_QUEUE_URL', value: sqsQueueUrl }
  { name: 'SKYFERRY_SOURCES_1_DEAD_LETTER_QUEUE_URL', value: sqsDeadLetterQueueUrl }
  { name: 'SKYFERRY_RULES_0_NAME', value: container }
  { name: 'SKYFERRY_RULES_0_AZURE_ACCOUNT', value: storageAccountName }
  { name: 'SKYFERRY_RULES_0_AZURE_CONTAINER', value: container }
  { name: 'SKYFERRY_RULES_0_AZURE_PREFIX', value: containerPrefix }
  { name: 'SKYFERRY_RULES_0_S3_BUCKET', value: bucket }
  { name: 'SKYFERRY_RULES_0_S3_PREFIX', value: bucketPrefix }
  { name: 'SKYFERRY_RULES_0_DIRECTION', value: direction }
  { name: 'SKYFERRY_RULES_0_DELETES', value: deletes }
  { name: 'SKYFERRY_WORKER_HTTP_PORT', value: httpPort }
  { name: 'SKYFERRY_LOGGING_FORMAT', value: 'json' }
], setting => !empty(setting.value))

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: '${appName}-plan'
  location: location
  tags: tags
  kind: 'linux'
  sku: {
    name: planSku
    capacity: instanceCount
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2023-12-01' = {
  name: appName
  location: location
  tags: tags
  kind: 'app,linux,container'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      linuxFxVersion: 'DOCKER|${image}'
      acrUseManagedIdentityCreds: pullWithIdentity
      acrUserManagedIdentityID: pullWithIdentity ? identityClientId : null
      // A queue worker gets no requests to wake it: it must never be unloaded.
      alwaysOn: true
      // App Service replaces an instance whose /healthz keeps failing.
      healthCheckPath: '/healthz'
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      http20Enabled: true
      ipSecurityRestrictionsDefaultAction: allowPublicAccess ? 'Allow' : 'Deny'
      scmIpSecurityRestrictionsDefaultAction: 'Deny'
      appSettings: appSettings
    }
  }
}

output appName string = app.name
output defaultHostName string = app.properties.defaultHostName
