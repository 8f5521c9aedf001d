// Skyferry's Azure side, from nothing: storage account (or an existing one), replicated containers,
// event queue + poison queue, Event Grid system topic and filtered subscription with dead-lettering,
// the worker's user-assigned identity with least-privilege data roles, its federated credentials for
// AKS, and the Entra application whose tokens AWS trusts.
//
//   az deployment group create -g <rg> -f deploy/azure/main.bicep -p @main.parameters.json
//
// Outputs feed the Helm values / App Service (identityClientId, queueName) and the CloudFormation
// stack (tenantId, identityPrincipalId, audience). See deploy/README.md.

targetScope = 'resourceGroup'

@description('Azure region.')
param location string = resourceGroup().location

@description('Storage account holding the blobs to replicate (3-24 lower-case letters and digits). Becomes config azure.accounts[].name.')
@minLength(3)
@maxLength(24)
param storageAccountName string

@description('False to use an existing account (its settings are left untouched).')
param createStorageAccount bool = true

@description('SKU of a new storage account.')
param storageSku string = 'Standard_ZRS'

@description('Containers to replicate (config rules[].azure.container).')
param containers array

@description('Those of the containers that are only ever a source (every rule on them azure-to-s3): the worker may read them, never write or delete.')
param sourceOnlyContainers array = []

@description('Event queue (config sources[].queue).')
param queueName string = 'skyferry-events'

@description('Event Grid dead-letter container.')
param deadLetterContainerName string = 'skyferry-eventgrid-deadletter'

@description('Name of the account\'s Event Grid system topic.')
param systemTopicName string = '${storageAccountName}-events'

@description('False when the account already has a system topic (one per account): set systemTopicName to it.')
param createSystemTopic bool = true

@description('Name of the worker\'s user-assigned managed identity.')
param identityName string = 'skyferry'

@description('AKS OIDC issuer URL; empty for App Service only.')
param aksOidcIssuerUrl string = ''

@description('Kubernetes namespace of the Helm release.')
param aksNamespace string = 'skyferry'

@description('Kubernetes service account of the worker pods (Helm serviceAccount.name).')
param aksServiceAccount string = 'skyferry'

@description('KEDA operator service account subject. Non-empty (and aksOidcIssuerUrl set): a separate identity that may only read the queue length, for the Helm value keda.azureQueue.identityId.')
param kedaOperatorSubject string = ''

@description('Audience of the Entra tokens exchanged at AWS STS (config aws.auth.audience; CloudFormation Audience).')
param awsFederationAudience string = 'api://skyferry-aws-federation'

@description('False where the deployment may not write to Microsoft Graph; then follow the manual steps in deploy/README.md.')
param createEntraApp bool = true

@description('Rules copy tags (config rules[].copyTags): grant the worker blob index tags on the containers, through a custom role. False where no rule copies tags, or the deployment may not create role definitions.')
param copyTags bool = true

param tags object = {
  app: 'skyferry'
}

resource newStorage 'Microsoft.Storage/storageAccounts@2023-05-01' = if (createStorageAccount) {
  name: storageAccountName
  location: location
  tags: tags
  sku: {
    name: storageSku
  }
  kind: 'StorageV2'
  properties: {
    // Secretless end to end: Entra ID only, no account keys or SAS.
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    accessTier: 'Hot'
  }
}

var withKedaIdentity = !empty(aksOidcIssuerUrl) && !empty(kedaOperatorSubject)

module identity 'modules/identity.bicep' = {
  name: 'skyferry-identity'
  params: {
    location: location
    identityName: identityName
    oidcIssuerUrl: aksOidcIssuerUrl
    federatedSubjects: ['system:serviceaccount:${aksNamespace}:${aksServiceAccount}']
    tags: tags
  }
}

// KEDA's operator gets its own identity: it must not inherit the worker's access to the data.
module kedaIdentity 'modules/identity.bicep' = if (withKedaIdentity) {
  name: 'skyferry-keda-identity'
  params: {
    location: location
    identityName: '${identityName}-keda'
    oidcIssuerUrl: aksOidcIssuerUrl
    federatedSubjects: [kedaOperatorSubject]
    tags: tags
  }
}

module kedaQueueReader 'modules/queue-reader.bicep' = if (withKedaIdentity) {
  name: 'skyferry-keda-queue-reader'
  params: {
    storageAccountName: storageAccountName
    queueName: storageEvents.outputs.queueName
    principalId: withKedaIdentity ? kedaIdentity.outputs.principalId : ''
  }
}

module storageEvents 'modules/storage-events.bicep' = {
  name: 'skyferry-storage-events'
  dependsOn: [newStorage]
  params: {
    storageAccountName: storageAccountName
    containers: containers
    queueName: queueName
    poisonQueueName: '${queueName}-poison'
    deadLetterContainerName: deadLetterContainerName
    systemTopicName: systemTopicName
    createSystemTopic: createSystemTopic
    location: location
    tags: tags
  }
}

module workerRoles 'modules/worker-roles.bicep' = {
  name: 'skyferry-worker-roles'
  params: {
    storageAccountName: storageAccountName
    containers: containers
    sourceOnlyContainers: sourceOnlyContainers
    queueName: storageEvents.outputs.queueName
    poisonQueueName: storageEvents.outputs.poisonQueueName
    deadLetterContainerName: storageEvents.outputs.deadLetterContainerName
    copyTags: copyTags
    principalId: identity.outputs.principalId
  }
}

module entraApp 'modules/entra-app.bicep' = if (createEntraApp) {
  name: 'skyferry-entra-app'
  params: {
    audience: awsFederationAudience
    workerPrincipalId: identity.outputs.principalId
  }
}

output tenantId string = identity.outputs.tenantId
output identityId string = identity.outputs.id
output identityClientId string = identity.outputs.clientId
@description('The sub claim of the worker\'s tokens: CloudFormation parameter WorkerPrincipalId.')
output identityPrincipalId string = identity.outputs.principalId
@description('Helm value keda.azureQueue.identityId (empty without a KEDA identity).')
output kedaIdentityClientId string = withKedaIdentity ? kedaIdentity.outputs.clientId : ''
output audience string = awsFederationAudience
output storageAccountName string = storageAccountName
output queueName string = storageEvents.outputs.queueName
output poisonQueueName string = storageEvents.outputs.poisonQueueName
