// Containers, the event queue and its poison queue, and the Event Grid wiring that turns blob writes
// and deletes into queue messages: system topic on the storage account, one subscription filtered
// to committed writes and deletes in the replicated containers, dead-lettering to a blob container.

import { builtInRoles } from 'roles.bicep'

@description('Existing storage account holding the containers (and here also the queues).')
param storageAccountName string

@description('Containers to replicate. Created if missing; existing ones are left as they are.')
param containers array

@description('Queue Event Grid delivers to and Skyferry consumes (config sources[].queue).')
param queueName string

@description('Where the worker puts messages it cannot process (config sources[].poisonQueue; the app defaults to <queue>-poison).')
param poisonQueueName string = '${queueName}-poison'

@description('Container where Event Grid dead-letters events it could not deliver.')
param deadLetterContainerName string

@description('Name of the storage account\'s Event Grid system topic.')
param systemTopicName string

@description('False when the account already has a system topic (Azure allows one per account): its name goes in systemTopicName and it must have a system-assigned identity.')
param createSystemTopic bool = true

param location string
param tags object = {}

// The data.api values that mean a committed write or a delete; the same list the app's event parser
// accepts (replication-core AzureEventMapper), so placeholders such as CreateFile (HNS, size 0) and
// SftpCreate never reach the queue. The deploy tests check both lists agree.
var committedWriteApis = ['PutBlob', 'PutBlockList', 'CopyBlob', 'FlushWithClose', 'SftpCommit']
var deleteApis = ['DeleteBlob', 'DeleteFile', 'SftpRemove']
// BlobRenamed of one file (hierarchical namespace, SFTP): the new name is replicated, the old one deleted.
var renameApis = ['RenameFile', 'SftpRename']

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' existing = {
  parent: storage
  name: 'default'
}

resource replicatedContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [for c in containers: {
  parent: blobService
  name: c
  properties: {
    publicAccess: 'None'
  }
}]

resource deadLetterContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deadLetterContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' existing = {
  parent: storage
  name: 'default'
}

resource eventQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queueService
  name: queueName
}

resource poisonQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queueService
  name: poisonQueueName
}

resource newSystemTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' = if (createSystemTopic) {
  name: systemTopicName
  location: location
  tags: tags
  // Delivers to the queue and dead-letters with its own identity: the account needs no shared key.
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: storage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

// The topic either way (new or pre-existing); the references below are ordered after newSystemTopic.
resource systemTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' existing = {
  name: systemTopicName
}

// The topic's identity adds messages to the account's queues and writes to the dead-letter container,
// nothing else. The sender role is on the account, not the queue: the subscription's destination is the
// account (resourceId, with queueName beside it), and Event Grid checks the role there when it creates the
// subscription; a queue-scoped assignment is reported refused ("does not have authorization to deliver").
resource topicQueueSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  dependsOn: [newSystemTopic]
  name: guid(storage.id, systemTopicName, builtInRoles.storageQueueDataMessageSender)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.storageQueueDataMessageSender)
    principalId: systemTopic.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource topicDeadLetterWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: deadLetterContainer
  dependsOn: [newSystemTopic]
  name: guid(deadLetterContainer.id, systemTopicName, builtInRoles.storageBlobDataContributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.storageBlobDataContributor)
    principalId: systemTopic.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource subscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = {
  parent: systemTopic
  name: 'skyferry-${queueName}'
  dependsOn: [newSystemTopic, topicQueueSender, topicDeadLetterWriter]
  properties: {
    eventDeliverySchema: 'EventGridSchema'
    deliveryWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      destination: {
        endpointType: 'StorageQueue'
        properties: {
          resourceId: storage.id
          queueName: queueName
          // Never expire: a worker outage longer than the 7-day default must not lose events.
          queueMessageTimeToLiveInSeconds: -1
        }
      }
    }
    filter: {
      includedEventTypes: [
        'Microsoft.Storage.BlobCreated'
        'Microsoft.Storage.BlobDeleted'
        'Microsoft.Storage.BlobRenamed'
      ]
      enableAdvancedFilteringOnArrays: true
      advancedFilters: [
        {
          operatorType: 'StringIn'
          key: 'data.api'
          values: concat(committedWriteApis, deleteApis, renameApis)
        }
        {
          // Subject filter: only blobs in the replicated containers (not the dead-letter container).
          operatorType: 'StringBeginsWith'
          key: 'subject'
          values: [for c in containers: '/blobServices/default/containers/${c}/blobs/']
        }
      ]
    }
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
    deadLetterWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: storage.id
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
}

output queueName string = eventQueue.name
output poisonQueueName string = poisonQueue.name
output deadLetterContainerName string = deadLetterContainer.name
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output blobEndpoint string = storage.properties.primaryEndpoints.blob
