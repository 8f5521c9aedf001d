// Lets KEDA's operator read the event queue's length, and nothing else.

import { builtInRoles } from 'roles.bicep'

param storageAccountName string
param queueName string

@description('Object (principal) id of the KEDA identity.')
param principalId string

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName

  resource queueService 'queueServices' existing = {
    name: 'default'
  }
}

resource eventQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' existing = {
  parent: storage::queueService
  name: queueName
}

resource queueReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: eventQueue
  name: guid(eventQueue.id, principalId, builtInRoles.storageQueueDataReader)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.storageQueueDataReader)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
